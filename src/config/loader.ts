import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { OpsError } from '../core/errors.js';
import { xdgConfigHome } from '../core/paths.js';
import { defaultConfig } from './defaults.js';
import type { Config } from './schema.js';

export type ConfigSource = 'flag' | 'env' | 'cwd' | 'xdg';

export interface LoadedConfig {
  config: Config;
  /** undefined when no file was found and defaults are used */
  path: string | undefined;
  source: ConfigSource | undefined;
}

export interface DiscoverOptions {
  /** --config */
  explicit?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const HINT_INIT = 'create one with `opsdeck init` (or pass --config PATH)';

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The XDG location `opsdeck init` writes to by default. */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(xdgConfigHome(env), 'opsdeck', 'config.yaml');
}

/**
 * Where the config comes from, first match wins: --config, $OPSDECK_CONFIG,
 * ./opsdeck.yaml, $XDG_CONFIG_HOME/opsdeck/config.yaml. A path someone named
 * explicitly must exist; the two implicit places are only looked at.
 */
export function discoverConfig(opts: DiscoverOptions = {}): { path: string; source: ConfigSource } | undefined {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const named: [string | undefined, ConfigSource, string][] = [
    [opts.explicit, 'flag', '--config'],
    [env.OPSDECK_CONFIG || undefined, 'env', '$OPSDECK_CONFIG'],
  ];
  for (const [p, source, label] of named) {
    if (p === undefined) continue;
    const abs = path.resolve(cwd, p);
    if (!isFile(abs)) {
      const dir = isDirectory(abs);
      throw new OpsError('CONFIG_NOT_FOUND', `${dir ? 'config path is a directory, not a file' : 'config file not found'}: ${abs} (from ${label})`, {
        hint: dir ? `name the file, e.g. ${path.join(abs, 'opsdeck.yaml')}` : HINT_INIT,
      });
    }
    return { path: abs, source };
  }
  const local = path.join(cwd, 'opsdeck.yaml');
  if (isFile(local)) return { path: local, source: 'cwd' };
  const user = userConfigPath(env);
  if (isFile(user)) return { path: user, source: 'xdg' };
  return undefined;
}

/** yaml is loaded only when there is a file to parse: the no-config sandbox path starts faster. */
export async function loadConfigFile(file: string): Promise<Config> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OpsError('CONFIG_NOT_FOUND', `config file not found: ${file}`, { hint: HINT_INIT });
    throw new OpsError('CONFIG_INVALID', `cannot read config ${file} (${code ?? 'error'})`, { hint: 'check the file permissions' });
  }
  const { parseConfig } = await import('./parse.js');
  return parseConfig(text, file);
}

/** Discover and load; with no file anywhere, the defaults (callers decide what that means: the sandbox). */
export async function loadConfig(opts: DiscoverOptions = {}): Promise<LoadedConfig> {
  const found = discoverConfig(opts);
  if (!found) return { config: defaultConfig(), path: undefined, source: undefined };
  return { config: await loadConfigFile(found.path), path: found.path, source: found.source };
}
