/**
 * A load that runs at most once at a time, where the latest request wins.
 *
 * A request made while a load is in flight is not dropped: the load runs again
 * when the current one ends, and a result is delivered only if no request came
 * in after that load started. Otherwise a refresh begun before a mutation
 * (an auto-refresh reading the live config) could land after it and show the
 * state from before the change as current.
 */
import { deadline, raceSignal } from '../core/deadline.js';

export type LoadOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface LatestLoader {
  /** Ask for fresh data; resolves when data at least as new as this request was delivered (or the loader stopped). */
  request(): Promise<void>;
  /** Nothing is delivered after this (the view unmounted). */
  stop(): void;
}

export interface LoaderOptions {
  /**
   * A load that has not settled by then is delivered as a TIMEOUT error (the
   * pane's error panel, r to retry) instead of "loading…" for as long as a
   * silent endpoint keeps the socket open.
   */
  deadlineMs?: number;
  /** what the load does, for the timeout message: "listing instances" */
  what?: string;
}

export function latestLoader<T>(load: () => Promise<T>, deliver: (outcome: LoadOutcome<T>) => void, opts: LoaderOptions = {}): LatestLoader {
  let requested = 0;
  let running: Promise<void> | undefined;
  let stopped = false;

  const run = async (): Promise<void> => {
    for (;;) {
      const started = requested;
      let outcome: LoadOutcome<T>;
      try {
        outcome = { ok: true, value: await bounded(load, opts) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (stopped) return;
      if (requested === started) {
        deliver(outcome);
        return;
      }
      // Asked again while loading: this result may predate what was asked for.
    }
  };

  return {
    request(): Promise<void> {
      requested++;
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
    stop(): void {
      stopped = true;
    },
  };
}

async function bounded<T>(load: () => Promise<T>, opts: LoaderOptions): Promise<T> {
  if (opts.deadlineMs === undefined) return load();
  const dl = deadline(opts.deadlineMs, opts.what ?? 'loading', 'the endpoint did not answer in time: check the endpoint and region in the header and the network (proxy, VPN)');
  try {
    return await raceSignal(load(), dl.signal);
  } finally {
    dl.dispose();
  }
}
