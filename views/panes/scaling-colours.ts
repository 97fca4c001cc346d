import type { AlarmState, AsgInstance, ScalingPolicy } from '../../src/cloud/ports.js';
import type { GroupSummary } from '../../src/scaling/status.js';
import type { LegendEntry } from './types.js';

/**
 * The Scaling pane's row colours as rule tables: the rows take the first rule
 * that matches, and the `?` legend is written from the same tables, so what
 * a colour means cannot drift from what the pane paints.
 */
interface ColourRule<T> {
  color: string;
  meaning: string;
  when(row: T): boolean;
}

function colourBy<T>(rules: readonly ColourRule<T>[]): (row: T) => string | undefined {
  return (row) => rules.find((r) => r.when(row))?.color;
}

const GROUP_RULES: readonly ColourRule<GroupSummary>[] = [
  { color: 'red', meaning: 'group: an instance is unhealthy', when: (g) => g.counts.unhealthy > 0 },
  {
    color: 'yellow',
    meaning: 'group: still moving (instances pending or terminating, or fewer in service than desired)',
    when: (g) => g.counts.pending + g.counts.terminating > 0 || g.counts.inService < g.desired,
  },
];

const INSTANCE_RULES: readonly ColourRule<AsgInstance>[] = [
  { color: 'red', meaning: 'instance: Auto Scaling counts it unhealthy (it will be replaced)', when: (i) => i.healthStatus !== 'Healthy' },
  { color: 'green', meaning: 'instance: healthy and InService', when: (i) => i.lifecycleState === 'InService' },
  { color: 'yellow', meaning: 'instance: on its way in or out (Pending, Terminating, Standby, a lifecycle hook)', when: () => true },
];

type PolicyRow = { policy: ScalingPolicy; alarms: Record<string, AlarmState> | undefined };
const POLICY_RULES: readonly ColourRule<PolicyRow>[] = [
  { color: 'gray', meaning: 'policy: disabled', when: ({ policy }) => !policy.enabled },
  { color: 'yellow', meaning: 'policy: one of its CloudWatch alarms is in ALARM (it is acting now)', when: ({ policy, alarms }) => policy.alarms.some((a) => alarms?.[a]?.state === 'ALARM') },
];

/** A load balancer's view of an instance, reduced to what the colour says. */
export type TargetServing = 'serving' | 'out' | 'between';
export const TARGET_COLOUR: Record<TargetServing, { color: string; meaning: string }> = {
  serving: { color: 'green', meaning: 'target: healthy / InService, taking traffic' },
  out: { color: 'red', meaning: 'target: unhealthy / OutOfService (HEALTH and DETAIL say why)' },
  between: { color: 'yellow', meaning: 'target: registering, draining, unused or unknown' },
};

export const groupColour = colourBy(GROUP_RULES);
export const instanceColour = colourBy(INSTANCE_RULES);
export const policyColour = (alarms: Record<string, AlarmState> | undefined) => (policy: ScalingPolicy): string | undefined =>
  colourBy(POLICY_RULES)({ policy, alarms });

const swatch = (rules: readonly { color: string; meaning: string }[]): LegendEntry[] => rules.map((r) => ({ mark: '■', color: r.color, meaning: r.meaning }));

export const SCALING_LEGEND: readonly LegendEntry[] = [
  ...swatch(GROUP_RULES),
  ...swatch(INSTANCE_RULES),
  ...swatch(Object.values(TARGET_COLOUR)),
  ...swatch(POLICY_RULES),
  { mark: '██░░', meaning: 'CAPACITY: where desired sits between min and max' },
  { mark: '▁▃▅█', meaning: "DESIRED (session): desired capacity seen this session, scaled to max" },
  { mark: 'POOL', meaning: 'the instance\'s server in HAProxy, as the Fleet pane shows it (UP, DOWN, DRAIN·DOWN, MAINT; sim on the sandbox); - not a server of the pool, ? not read' },
  { mark: 'old', meaning: 'TEMPLATE: the instance runs an older launch template version than the group' },
];
