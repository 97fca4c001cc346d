import os from 'node:os';
import path from 'node:path';

/** XDG base directories with the spec's fallbacks; an empty or relative value is ignored, as the spec says. */
function xdg(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string {
  const v = env[name];
  if (v && path.isAbsolute(v)) return v;
  return path.join(env.HOME || os.homedir(), ...fallback);
}

export const xdgStateHome = (env: NodeJS.ProcessEnv = process.env): string => xdg(env, 'XDG_STATE_HOME', ['.local', 'state']);
export const xdgConfigHome = (env: NodeJS.ProcessEnv = process.env): string => xdg(env, 'XDG_CONFIG_HOME', ['.config']);
