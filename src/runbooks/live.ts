import type { ProgressEvent } from '../core/progress.js';
import { runRunbook, type Approval, type LiveStatus, type RunDeps, type RunEvent, type RunOutcome, type RunRequest } from './engine.js';
import type { Rendered } from './render.js';
import type { StepSpec } from './schema.js';

/**
 * One run as a screen sees it, kept outside any view so it survives a pane
 * switch or a pane remount: step statuses and durations, a bounded tail of
 * each step's output (a step printing a million lines costs a few thousand),
 * the progress of the running step, and the question the run waits on.
 * Subscribers are told at most every FLUSH_MS while output streams.
 */
const KEEP_LINES = 2000;
const FLUSH_MS = 40;

export interface LiveStep {
  id: string;
  title: string;
  kind: StepSpec['kind'];
  status: LiveStatus;
  durationMs: number | undefined;
  error: string | undefined;
  shown: readonly string[];
  startedAt: number | undefined;
}

export type Question =
  | { kind: 'approve'; step: StepSpec; rendered: Rendered; answer(a: Approval | undefined): void }
  | { kind: 'unknown'; step: StepSpec; verified: { done: boolean; detail: string } | undefined; answer(choice: 'retry' | 'skip' | 'abort'): void };

export interface LiveRun {
  runbook: string;
  title: string;
  rehearsal: boolean;
  runId: string | undefined;
  journal: string | undefined;
  steps: readonly LiveStep[];
  running: string | undefined;
  progress: { id: string; event: ProgressEvent } | undefined;
  notices: readonly string[];
  outcome: RunOutcome | undefined;
  /** the run's own failure (a lock held, a journal not writable) */
  error: string | undefined;
  question: Question | undefined;
  cancelling: boolean;
}

class Lines {
  private lines: string[] = [];
  private partial = '';
  dropped = 0;
  push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(p);
    // Trim in batches: an array shift per line would make a chatty step quadratic.
    if (this.lines.length > KEEP_LINES * 2) {
      const cut = this.lines.length - KEEP_LINES;
      this.dropped += cut;
      this.lines = this.lines.slice(cut);
    }
  }
  all(): readonly string[] {
    return this.partial ? [...this.lines, this.partial] : this.lines;
  }
  get count(): number {
    return this.lines.length + (this.partial ? 1 : 0);
  }
}

export class RunController {
  private state: LiveRun;
  private readonly output = new Map<string, Lines>();
  private readonly listeners = new Set<() => void>();
  private readonly abort = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private version = 0;
  done: Promise<RunOutcome | undefined> = Promise.resolve(undefined);

  constructor(req: RunRequest) {
    const rb = req.loaded.runbook;
    this.state = {
      runbook: rb.name,
      title: rb.title,
      rehearsal: false,
      runId: req.resume?.head.runId,
      journal: req.resume?.file,
      steps: rb.steps.map((s) => ({ id: s.id, title: s.title, kind: s.kind, status: 'pending', durationMs: undefined, error: undefined, shown: [], startedAt: undefined })),
      running: undefined,
      progress: undefined,
      notices: [],
      outcome: undefined,
      error: undefined,
      question: undefined,
      cancelling: false,
    };
  }

  /** Starts the run; `deps` without the parts the controller answers itself. */
  start(req: RunRequest, deps: Omit<RunDeps, 'approve' | 'settleUnknown' | 'onEvent' | 'signal'>): Promise<RunOutcome | undefined> {
    this.patch({ rehearsal: deps.executors.rehearsal });
    this.done = runRunbook(req, {
      ...deps,
      signal: this.abort.signal,
      approve: (step, rendered) => new Promise((resolve) => this.ask({ kind: 'approve', step, rendered, answer: resolve })),
      settleUnknown: (step, verified) => {
        // A step marked idempotent is safe to run again: the TUI does not ask (batch always does).
        if (step.idempotent) {
          this.notice(`${step.id} was interrupted; it is idempotent, so it runs again`);
          return Promise.resolve('retry');
        }
        return new Promise((resolve) => this.ask({ kind: 'unknown', step, verified, answer: resolve }));
      },
      onEvent: (e) => this.onEvent(e),
    }).then(
      (outcome) => {
        this.patch({ outcome, running: undefined, progress: undefined, question: undefined }, true);
        return outcome;
      },
      (e: unknown) => {
        this.patch({ error: e instanceof Error ? e.message : String(e), running: undefined, question: undefined }, true);
        return undefined;
      },
    );
    return this.done;
  }

  /** Stops the running step (the host is told too) and leaves the run resumable. */
  cancel(): void {
    if (this.state.outcome || this.state.error) return;
    // Stop the work first; the screen is told after, so nothing it does can delay the cancel.
    this.abort.abort(new Error('cancelled'));
    const q = this.state.question;
    if (q?.kind === 'approve') q.answer(undefined);
    else if (q?.kind === 'unknown') q.answer('abort');
    this.patch({ cancelling: true }, true);
  }

  get finished(): boolean {
    return this.state.outcome !== undefined || this.state.error !== undefined;
  }

  snapshot(): LiveRun {
    return this.state;
  }

  /** Output lines of a step (its last KEEP_LINES), and how many were dropped before them. */
  lines(stepId: string): { lines: readonly string[]; dropped: number } {
    const l = this.output.get(stepId);
    return { lines: l?.all() ?? [], dropped: l?.dropped ?? 0 };
  }

  /** Changes since the last call: a cheap key for memoizing views. */
  get revision(): number {
    return this.version;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private ask(q: Question): void {
    const answer = q.answer as (v: never) => void;
    // Whichever way the question is answered, it leaves the screen.
    const wrapped = { ...q, answer: (v: never) => {
      this.patch({ question: undefined }, true);
      answer(v);
    } } as Question;
    this.patch({ question: wrapped }, true);
  }

  private notice(text: string): void {
    this.patch({ notices: [...this.state.notices.slice(-20), text] });
  }

  private onEvent(e: RunEvent): void {
    switch (e.t) {
      case 'start':
        this.patch({ runId: e.runId, journal: e.journal }, true);
        return;
      case 'step': {
        const steps = this.state.steps.map((s) =>
          s.id === e.id
            ? { ...s, status: e.status, durationMs: e.durationMs ?? s.durationMs, error: e.error, shown: e.shown ?? s.shown, startedAt: e.status === 'running' ? Date.now() : s.startedAt }
            : s,
        );
        this.patch({ steps, running: e.status === 'running' ? e.id : this.state.running === e.id ? undefined : this.state.running, progress: e.status === 'running' ? undefined : this.state.progress }, true);
        return;
      }
      case 'output': {
        let l = this.output.get(e.id);
        if (!l) this.output.set(e.id, (l = new Lines()));
        l.push(e.text);
        this.patch({});
        return;
      }
      case 'progress':
        this.patch({ progress: { id: e.id, event: e.event } });
        return;
      case 'notice':
        this.notice(e.text);
        return;
      case 'end':
        return;
    }
  }

  private patch(p: Partial<LiveRun>, now = false): void {
    this.state = { ...this.state, ...p };
    this.version++;
    if (now) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.emit();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.emit();
      }, FLUSH_MS);
    }
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}
