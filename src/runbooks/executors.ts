import type { ProgressEvent } from '../core/progress.js';
import type { CaptureSpec } from './schema.js';

/**
 * What runs a rendered step: the real world (executors-real.ts: sshd, MySQL,
 * the cloud ports, HAProxy's runtime API) or the sandbox's rehearsal
 * (executors-sandbox.ts). The engine only sees this interface, so a rehearsal
 * walks exactly the code path of a real run.
 */
export interface StepIO {
  signal: AbortSignal;
  output(stream: 'stdout' | 'stderr', text: string): void;
  progress(e: ProgressEvent): void;
}

/** The result of any step or probe, in one shape so captures and conditions work on all. */
export interface StepResult {
  /** exit status for commands; 0/1 for SQL, AWS and HAProxy (ok / failed) */
  exit: number | null;
  stdout: string;
  stderr: string;
  /** rows of the last SQL statement that returned rows */
  rows: Record<string, unknown>[];
  /** fields of an AWS response (SnapshotId, VolumeId, State...) */
  fields: Record<string, unknown>;
  bytes?: number;
}

export const emptyResult = (over: Partial<StepResult> = {}): StepResult => ({ exit: 0, stdout: '', stderr: '', rows: [], fields: {}, ...over });

export interface Executors {
  readonly rehearsal: boolean;
  /**
   * A config secret (`${env:}`/`${file:}` reference) for use in a step about to run: the real
   * world resolves it, a rehearsal leaves the reference. Only ever used for the value sent; what is
   * shown and journaled stays ***.
   */
  reveal?(keyPath: string, value: string): string;
  ssh(host: string, command: string, io: StepIO): Promise<StepResult>;
  /** statements in order on one connection: the named session's (kept open) or a fresh one */
  sql(target: string, session: string | undefined, statements: readonly { sql: string; values: string[] }[], io: StepIO): Promise<StepResult>;
  closeSession(name: string): Promise<void>;
  /** a named replication operation, in the words this server accepts (mysql-ops.ts) */
  mysql(target: string, operation: string, args: Record<string, string>, io: StepIO): Promise<StepResult>;
  /** names of sessions open now (a held lock the engine must release loudly if the run stops) */
  openSessions(): string[];
  stream(from: { host: string; command: string }, to: { host: string; command: string }, sizeBytes: number | undefined, io: StepIO): Promise<StepResult>;
  aws(operation: string, args: Record<string, string>, io: StepIO): Promise<StepResult>;
  haproxy(action: 'drain' | 'maint' | 'ready' | 'show', server: string, io: StepIO): Promise<StepResult>;
  /** a pause between polls: real time, or on a rehearsal the simulated world's clock moving on */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** close every connection; held sessions are released and named in the returned lines */
  close(): Promise<string[]>;
}

/** Named outputs from a result; a capture that finds nothing is an error (the step did not do what was expected). */
export function capture(specs: Record<string, CaptureSpec>, res: StepResult, rehearsal: boolean): { outputs: Record<string, string>; missing: string[] } {
  const outputs: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    let value: string | undefined;
    if ('regex' in spec) {
      const m = new RegExp(spec.regex, 'm').exec(spec.from === 'stderr' ? res.stderr : res.stdout);
      value = m ? (m[1] ?? m[0]) : undefined;
    } else if ('column' in spec) {
      const cell = res.rows[spec.row]?.[spec.column];
      value = cell === undefined || cell === null ? undefined : cell instanceof Date ? cell.toISOString() : String(cell);
    } else {
      let cur: unknown = res.fields;
      for (const seg of spec.field.split('.')) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
      value = cur === undefined || cur === null ? undefined : cur instanceof Date ? cur.toISOString() : typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
    }
    if (value !== undefined) outputs[name] = value;
    // A rehearsal cannot know every real output: it stands in a marked value rather than failing the demo.
    else if (rehearsal) outputs[name] = `rehearsal-${name}`;
    else missing.push(name);
  }
  return { outputs, missing };
}

/** The last `max` bytes of output, cut at a line start: what the journal keeps and the pane shows. */
export class Tail {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly max = 16 * 1024) {}
  push(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.max * 2 && this.chunks.length > 1) this.size -= this.chunks.shift()?.length ?? 0;
  }
  text(): string {
    const all = this.chunks.join('');
    if (all.length <= this.max) return all;
    const cut = all.slice(all.length - this.max);
    const nl = cut.indexOf('\n');
    return nl >= 0 && nl < cut.length - 1 ? cut.slice(nl + 1) : cut;
  }
}

/** A real-time pause that ends early (rejecting) when the signal aborts. */
export function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
