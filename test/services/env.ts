/**
 * The AWS SDK reads credentials and shared-file paths from process.env, not
 * from the env a test hands to main(): set them for a file, and put back what
 * was there (undefined: remove the variable). Returns the undo.
 */
export function overrideProcessEnv(vars: Record<string, string | undefined>): () => void {
  const saved: Record<string, string | undefined> = {};
  const set = (k: string, v: string | undefined): void => {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    set(k, v);
  }
  return () => {
    for (const [k, v] of Object.entries(saved)) set(k, v);
  };
}
