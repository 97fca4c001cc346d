import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md: arrows point down. cli and views sit on top of the domains; the
 * domains, cloud, config and core never reach up into cli/ or views/, and
 * src/ never loads react or ink. A new area built on a CLI type would break
 * this, so it is pinned here rather than left to review.
 */
const root = path.resolve(__dirname, '../..');
const srcDir = path.join(root, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** Every module specifier a file imports or re-exports, static or dynamic. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

const resolved = (file: string, spec: string): string => (spec.startsWith('.') ? path.resolve(path.dirname(file), spec) : spec);

describe('layering', () => {
  const files = sourceFiles(srcDir);

  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('src/ never imports react, ink or views/', () => {
    const offenders = files.flatMap((f) =>
      specifiers(f)
        .filter((s) => /^(react|ink)(\/|$)/.test(s) || resolved(f, s).startsWith(path.join(root, 'views')))
        .map((s) => `${path.relative(root, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('nothing below cli/ imports from cli/ (the command context lives in core/)', () => {
    const cliDir = path.join(srcDir, 'cli');
    const offenders = files
      .filter((f) => !f.startsWith(cliDir + path.sep))
      .flatMap((f) =>
        specifiers(f)
          .filter((s) => resolved(f, s).startsWith(cliDir + path.sep))
          .map((s) => `${path.relative(root, f)} imports ${s}`),
      );
    expect(offenders).toEqual([]);
  });
});
