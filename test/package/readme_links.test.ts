import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** The files `npm pack` would put in the tarball (no build: --ignore-scripts), as paths relative to the package. */
function packedFiles(): Set<string> {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  return new Set((JSON.parse(json) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path));
}

/** Relative link targets (no URL, no in-page anchor) of a markdown file, resolved against the package root. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1].split('#')[0])
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target))
    .map((target) => normalize(join(dirname(file), target)));
}

describe('the npm package', () => {
  const files = packedFiles();

  it('ships every file the README and the shipped docs link to', () => {
    const markdown = ['README.md', ...[...files].filter((f) => f.startsWith('docs/') && f.endsWith('.md'))];
    expect(markdown.length).toBeGreaterThan(1);
    const missing = markdown.flatMap((md) => relativeLinks(md).filter((target) => !files.has(target)).map((t) => `${md} -> ${t}`));
    expect(missing).toEqual([]);
  });

  it("ships none of the repository's tests, benchmark scripts, sources or examples", () => {
    const unexpected = [...files].filter((f) => /^(test|bench|src|examples)\//.test(f));
    expect(unexpected).toEqual([]);
  });
});
