/**
 * The Scaling pane's adjust forms (capacity, pre-scale, target tracking
 * policy, terminate): their fields from the group as last read, their
 * titles, and what Enter does with the values: plan, confirm, apply.
 */
import type { CommandContext } from '../../src/core/context.js';
import type { GroupDetail } from '../../src/scaling/status.js';
import type { SessionStore } from '../../src/store/session.js';
import { prescale, setCapacity, targetTracking, terminateInstance } from './scaling-actions.js';
import type { FormField } from './scaling-parts.js';

export type Form = { kind: 'capacity' | 'prescale' | 'policy' | 'terminate'; fields: FormField[]; index: number; name?: string };

const hours = (h: number): string => (h === 0 ? 'now' : `in ${h} h`);

/**
 * Desired with the bounds, as batch's --min/--max/--honor-cooldown: each
 * stays within the others (min <= desired <= max), so a bound moves only
 * when its own field is changed.
 */
export function capacityForm(d: GroupDetail): Form {
  const g = d.group;
  const top = Math.max(g.maxSize * 2, g.maxSize + 10);
  const now = (was: number) => (v: number): string => `${v}   (now ${was})`;
  return {
    kind: 'capacity',
    index: 0,
    fields: [
      { key: 'desired', label: 'desired', value: g.desiredCapacity, min: 0, max: top, step: 1, atLeast: 'min', atMost: 'max', show: (v) => `${v}   (now ${g.desiredCapacity}; between min and max)` },
      { key: 'min', label: 'min', value: g.minSize, min: 0, max: top, step: 1, atMost: 'desired', show: now(g.minSize) },
      { key: 'max', label: 'max', value: g.maxSize, min: 0, max: top, step: 1, atLeast: 'desired', show: now(g.maxSize) },
      { key: 'cooldown', label: 'honour cooldown', value: 0, min: 0, max: 1, step: 1, show: (v) => (v ? 'yes: AWS refuses while the group is in its cooldown (desired alone only)' : 'no') },
    ],
  };
}

/** Updates the selected target tracking policy, else creates cpu-target. */
export function policyForm(d: GroupDetail, selected: string | undefined): Form {
  const p = d.policies.find((x) => x.name === selected && x.targetTracking) ?? d.policies.find((x) => x.name === 'cpu-target');
  const tt = p?.targetTracking;
  return {
    kind: 'policy',
    name: p?.name ?? 'cpu-target',
    index: 0,
    fields: [
      { key: 'target', label: 'average CPU %', value: tt?.targetValue ?? 50, min: 10, max: 90, step: 5, show: (v) => `${v}   (${p ? `${p.name} now at ${tt?.targetValue ?? '?'}` : 'new policy cpu-target'}; the seed: > 60% +2, < 30% -1)` },
      { key: 'noScaleIn', label: 'scale-in', value: tt?.disableScaleIn ? 1 : 0, min: 0, max: 1, step: 1, show: (v) => (v ? 'disabled (only ever adds instances)' : 'allowed') },
    ],
  };
}

/** Whether the group replaces the instance; without a replacement only down to min. */
export function terminateForm(d: GroupDetail, id: string): Form {
  const g = d.group;
  const canShrink = g.desiredCapacity - 1 >= g.minSize;
  const show = (v: number): string => (v ? `${g.desiredCapacity} -> ${g.desiredCapacity - 1}: no replacement` : `stays ${g.desiredCapacity}: a replacement launches${canShrink ? '' : ` (min ${g.minSize}: no lower)`}`);
  return { kind: 'terminate', name: id, index: 0, fields: [{ key: 'decrement', label: 'desired capacity', value: 0, min: 0, max: canShrink ? 1 : 0, step: 1, show }] };
}

export function prescaleForm(d: GroupDetail): Form {
  const g = d.group;
  return {
    kind: 'prescale',
    index: 0,
    fields: [
      { key: 'min', label: 'minimum', value: Math.min(g.maxSize, g.minSize + 2), min: g.minSize + 1, max: Math.max(g.maxSize * 2, g.minSize + 10), step: 1, show: (v) => `${v}   (now ${g.minSize}; max follows if needed)` },
      { key: 'start', label: 'raise', value: 1, min: 0, max: 72, step: 0.5, show: hours },
      { key: 'hours', label: 'for', value: 3, min: 0.5, max: 48, step: 0.5, show: (v) => `${v} h, then back to min ${g.minSize}` },
    ],
  };
}

export function formTitle(form: Form, group: string): string {
  switch (form.kind) {
    case 'capacity':
      return `Set capacity of ${group}`;
    case 'terminate':
      return `Terminate ${form.name ?? ''} of ${group}`;
    case 'policy':
      return `Target tracking policy ${form.name ?? ''} of ${group}`;
    case 'prescale':
      return `Pre-scale ${group} for a known spike`;
  }
}

/** +/- on the selected field, within its bounds and the fields it must stay above or below. */
export function adjustForm(f: Form, delta: number): Form {
  const other = (key: string | undefined): number | undefined => (key === undefined ? undefined : f.fields.find((x) => x.key === key)?.value);
  const fields = f.fields.map((x, i) => {
    if (i !== f.index) return x;
    const lo = Math.max(x.min, other(x.atLeast) ?? x.min);
    const hi = Math.min(x.max, other(x.atMost) ?? x.max);
    return { ...x, value: Math.max(lo, Math.min(hi, x.value + delta * x.step)) };
  });
  return { ...f, fields };
}

/** Enter: the form's plan, confirmed and applied; true when something was applied. */
export function submitForm(ctx: CommandContext, store: SessionStore, d: GroupDetail, f: Form): Promise<boolean> {
  const v = (k: string): number => f.fields.find((x) => x.key === k)?.value ?? 0;
  switch (f.kind) {
    case 'capacity': {
      // a bound left as the form found it is not sent: the group may have moved since it was read
      const g = d.group;
      return setCapacity(ctx, store, d, {
        desired: v('desired'),
        ...(v('min') !== g.minSize ? { min: v('min') } : {}),
        ...(v('max') !== g.maxSize ? { max: v('max') } : {}),
        honorCooldown: v('cooldown') === 1,
      });
    }
    case 'terminate':
      return terminateInstance(ctx, store, d, f.name ?? '', v('decrement') === 1);
    case 'policy':
      return targetTracking(ctx, store, d, { name: f.name ?? 'cpu-target', target: v('target'), disableScaleIn: v('noScaleIn') === 1 });
    case 'prescale':
      return prescale(ctx, store, d, { min: v('min'), startHours: v('start'), hours: v('hours') });
  }
}
