import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendJsonLine, writeFileAtomic, writeJsonAtomic } from '../../src/node/files.js';

describe('result files', () => {
  it('writeFileAtomic creates the folder, replaces the whole file and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-'));
    const path = join(dir, 'sub', 'table.md');
    writeFileAtomic(path, 'a long first version\n'.repeat(100));
    writeFileAtomic(path, 'short\n');
    expect(readFileSync(path, 'utf8')).toBe('short\n');
    expect(readdirSync(join(dir, 'sub'))).toEqual(['table.md']);
  });

  it('writeFileAtomic leaves the old file whole when writing the new one fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-'));
    const path = join(dir, 'summary.json');
    writeJsonAtomic(path, { records: 1 });
    // A folder in the place of the temporary file makes the write fail before the rename.
    mkdirSync(`${path}.${process.pid}.tmp`);
    expect(() => writeJsonAtomic(path, { records: 2 })).toThrow(/EISDIR/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ records: 1 });
  });

  it('appendJsonLine appends one complete line per record, NaN written as null', () => {
    const dir = mkdtempSync(join(tmpdir(), 'files-'));
    const path = join(dir, 'runs.jsonl');
    appendJsonLine(path, { seed: 1, loss: 0.5 });
    appendJsonLine(path, { seed: 2, loss: Number.NaN });
    expect(readFileSync(path, 'utf8')).toBe('{"seed":1,"loss":0.5}\n{"seed":2,"loss":null}\n');
  });
});
