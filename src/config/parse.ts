import { LineCounter, parseDocument, stringify } from 'yaml';
import { OpsError } from '../core/errors.js';
import { formatProblem, keyPosition, readYamlMapping, refProblems, zodProblems } from './problems.js';
import { configSchema, type Config } from './schema.js';
import { parseSecretRefs } from './secrets.js';

function secretRefProblem(s: string): string | undefined {
  return s.includes('${') ? parseSecretRefs(s).problem : undefined;
}

/**
 * `key:` with nothing after it (every example below it commented out) parses
 * as null; people mean "not set", so treat it that way and let defaults apply.
 */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, dropNulls(v)]));
}

/** Parse and validate config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string): Config {
  const { doc, lc, input, problems } = readYamlMapping(text, 'a mapping of sections (aws:, fleet:, haproxy:, ...)');
  if (input) {
    problems.push(...refProblems(input, doc, lc, secretRefProblem));
    const parsed = configSchema.safeParse(dropNulls(input));
    if (parsed.success && problems.length === 0) return parsed.data;
    if (!parsed.success) problems.push(...zodProblems(parsed.error.issues, doc, lc, input, configSchema));
  }
  problems.sort((a, b) => a.line - b.line || a.col - b.col);
  throw new OpsError('CONFIG_INVALID', `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the config`, {
    details: problems.map((p) => formatProblem(file, p)),
    hint: 'fix the lines above, then run `opsdeck config check`',
  });
}

/**
 * YAML text of a config value (`config show`). Here, where yaml is a static
 * import: a bundled `await import('yaml')` yields only a default export
 * (yaml is CommonJS), so destructuring `stringify` from it crashed.
 */
export function configToYaml(value: unknown): string {
  return stringify(value);
}


/**
 * Where a key path is written in config text (the deepest part of it that is
 * there), for warnings that point at the line as errors do; undefined when
 * the text does not parse.
 */
export function locateKey(text: string, keyPath: string): { line: number; col: number } | undefined {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) return undefined;
  return keyPosition(doc, lc, keyPath.split('.'));
}
