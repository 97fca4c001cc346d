import React, { useEffect, useRef } from 'react';
import { runAttentionProbe } from '../src/core/attention.js';
import { loadDeadlineMs, type CommandContext } from '../src/core/context.js';
import { refreshIntervalMs } from '../src/store/refresh.js';
import type { SessionStore } from '../src/store/session.js';
import { useSession } from './hooks.js';
import type { PaneDefinition } from './panes/types.js';

/**
 * Runs one pane's attention probe while the pane is not on screen: at
 * startup (a pane never opened is not mounted, so nothing else would look),
 * then every refresh interval of the pane. A result that lands after the
 * pane came on screen is dropped: the pane's own reading is newer.
 */
function AttentionProbeRunner({ def, ctx, store }: { def: PaneDefinition; ctx: CommandContext; store: SessionStore }): null {
  const shown = useSession(store, (s) => s.activePane === def.id);
  const startup = useRef(true);
  useEffect(() => {
    const probe = def.attention;
    const first = startup.current;
    startup.current = false;
    if (!probe || shown) return;
    let live = true;
    let running = false;
    const run = (): void => {
      if (running) return;
      running = true;
      void runAttentionProbe(probe, ctx, loadDeadlineMs(ctx), def.title).then((o) => {
        running = false;
        if (live && o.ok) store.getState().setAttention(def.id, o.value);
      });
    };
    if (first) run();
    const ms = refreshIntervalMs(def.id, ctx.config);
    const timer = ms === undefined ? undefined : setInterval(run, ms);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [def, ctx, store, shown]);
  return null;
}

/** One runner per pane that names a probe (PaneDefinition.attention). */
export function AttentionProbes({ defs, ctx, store }: { defs: readonly PaneDefinition[]; ctx: CommandContext; store: SessionStore }): React.ReactElement {
  return (
    <>
      {defs
        .filter((d) => d.attention)
        .map((d) => (
          <AttentionProbeRunner key={d.id} def={d} ctx={ctx} store={store} />
        ))}
    </>
  );
}
