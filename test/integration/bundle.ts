import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The CLI as shipped: the esbuild bundle (`npm run build`), not the sources,
 * built with the package's own build flags into a temp dir. Bundling changes
 * module semantics (a dynamic import of a CommonJS package has only a default
 * export there), so tests of the shipped CLI run this. Shared by the bundle
 * test and the tmux walk.
 */
export interface Bundle {
  /** the temp dir holding views/, node_modules (a link) and package.json */
  root: string;
  /** the bundled entry point: run it with process.execPath */
  entry: string;
  remove(): void;
}

const repo = path.resolve(import.meta.dirname, '../..');

export function buildBundle(prefix = 'opsdeck-bundle-'): Bundle {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const script = (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['build'] ?? '';
  const esbuild = script.slice(script.indexOf('esbuild '));
  if (!esbuild.includes('--outdir=dist/views')) throw new Error(`the build script no longer writes to dist/views: ${script}`);
  execFileSync('bash', ['-c', `exec npx --no-install ${esbuild.replace('--outdir=dist/views', `--outdir=${JSON.stringify(path.join(root, 'views'))}`)}`], { cwd: repo, stdio: 'pipe' });
  // Externals (the AWS SDK) resolve from node_modules next to the bundle, as in an install.
  symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
  copyFileSync(path.join(repo, 'package.json'), path.join(root, 'package.json'));
  // the shipped runbooks sit beside package.json in an install (shippedRunbookDir finds them there)
  symlinkSync(path.join(repo, 'runbooks'), path.join(root, 'runbooks'));
  return { root, entry: path.join(root, 'views', 'main.js'), remove: () => rmSync(root, { recursive: true, force: true }) };
}
