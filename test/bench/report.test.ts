import * as tf from '@tensorflow/tfjs';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRunsForAppend, readRuns, runRecordProblem, writeReport } from '../../src/bench/report.js';
import { groupRuns, summarize } from '../../src/bench/summary.js';
import { fakeRecord, summaryFixture } from '../helpers/run_records.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'report-test-'));
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const line = (r: unknown) => `${JSON.stringify(r)}\n`;

describe('readRuns', () => {
  const a = fakeRecord({ activation: 'relu', seed: 1, mr: 2 });
  const b = fakeRecord({ activation: 'arelu', seed: 1, mr: 1.5 });

  it('reads every line back as written', () => {
    const path = join(dir, 'ok.jsonl');
    writeFileSync(path, line(a) + '\n' + line(b));
    expect(readRuns(path)).toEqual([a, b]);
  });

  it('skips a truncated last line (no final newline) with a warning naming file and line', () => {
    const path = join(dir, 'truncated.jsonl');
    writeFileSync(path, line(a) + line(b) + line(a).slice(0, 40));
    const warnings: string[] = [];
    expect(readRuns(path, { warn: (m) => warnings.push(m) })).toEqual([a, b]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${path}:3: skipping the truncated last line`);
  });

  it('accepts a complete last record that only lacks its newline', () => {
    const path = join(dir, 'no-newline.jsonl');
    writeFileSync(path, line(a) + JSON.stringify(b));
    const warnings: string[] = [];
    expect(readRuns(path, { warn: (m) => warnings.push(m) })).toEqual([a, b]);
    expect(warnings).toEqual([]);
  });

  it('throws with file:line on a malformed line that is not the last', () => {
    const path = join(dir, 'bad-middle.jsonl');
    writeFileSync(path, line(a) + '{"format": 1, "activ\n' + line(b));
    expect(() => readRuns(path)).toThrow(`${path}:2: not valid JSON`);
  });

  it('throws on a malformed last line that ends with a newline (not a truncation)', () => {
    const path = join(dir, 'bad-last.jsonl');
    writeFileSync(path, line(a) + 'oops\n');
    expect(() => readRuns(path)).toThrow(`${path}:2: not valid JSON`);
  });

  it('throws with file:line and the field names on JSON that is not a run record', () => {
    const path = join(dir, 'not-a-record.jsonl');
    const { test: _t, ...noTest } = a;
    void _t;
    writeFileSync(path, line(a) + line({ ...noTest, seed: 'one' }) + line(b));
    expect(() => readRuns(path)).toThrow(`${path}:2: missing or mistyped field(s): seed, test.misclassificationRate.`);
    expect(runRecordProblem({ ...a, format: 2 })).toBe('format is 2, expected 1');
    expect(runRecordProblem([])).toBe('not a JSON object');
  });
});

describe('prepareRunsForAppend', () => {
  const a = fakeRecord({ activation: 'relu', seed: 1, mr: 2 });
  const b = fakeRecord({ activation: 'arelu', seed: 1, mr: 1.5 });

  it('cuts off a truncated last line, so that the next record starts a line of its own', () => {
    const path = join(dir, 'append-truncated.jsonl');
    writeFileSync(path, line(a) + line(b).slice(0, 50));
    expect(prepareRunsForAppend(path)).toBe('truncated');
    expect(readFileSync(path, 'utf8')).toBe(line(a));
    appendFileSync(path, line(b));
    expect(readRuns(path)).toEqual([a, b]);
  });

  it('ends a complete last record that lacks its newline, and leaves a well-ended file alone', () => {
    const path = join(dir, 'append-unterminated.jsonl');
    writeFileSync(path, line(a) + JSON.stringify(b));
    expect(prepareRunsForAppend(path)).toBe('terminated');
    expect(readFileSync(path, 'utf8')).toBe(line(a) + line(b));
    expect(prepareRunsForAppend(path)).toBe('unchanged');
    writeFileSync(path, '');
    expect(prepareRunsForAppend(path)).toBe('unchanged');
  });
});

describe('writeReport', () => {
  it('writes table.md, summary.json and an SVG and a PNG of every plot', async () => {
    const out = join(dir, 'report');
    const records = summaryFixture();
    const files = await writeReport(out, records, { activationSheet: { names: ['relu', 'arelu'], points: 11 }, pngScale: 1 });
    const other = groupRuns(records)[1].id; // the second reference group: 'reference-' and a hash of its settings
    expect(other).toMatch(/^reference-[0-9a-f]{6}$/);

    const table = readFileSync(join(out, 'table.md'), 'utf8');
    expect(table).toContain('| relu | 3 | 1 | 2.27 ± 0.31 | 2.00 | 2.08 | 20.0 | 2000 |');
    expect(table).toContain('[test accuracy per epoch](plots/reference-test-accuracy.png)');
    expect(table).toContain('No AReLU run in this group: no slope plot.');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(summarize(records))));

    const expected = [
      ...['reference', other].flatMap((g) => ['test-accuracy', 'test-loss', 'dead-units'].map((m) => `${g}-${m}`)),
      'reference-arelu-slope',
      ...['test-accuracy', 'test-loss', 'dead-units'].map((m) => `stress-${m}`),
      'activations',
    ];
    const written = readdirSync(join(out, 'plots')).sort();
    expect(written).toEqual(expected.flatMap((n) => [`${n}.png`, `${n}.svg`]).sort());
    expect(files.plots.length).toBe(written.length);
    expect(files.sheetSkipped).toEqual([]);
    for (const name of expected) {
      const svg = readFileSync(join(out, 'plots', `${name}.svg`), 'utf8');
      expect(svg.startsWith('<svg'), name).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>'), name).toBe(true);
      expect(svg).toContain('font-family="DejaVu Sans, sans-serif"');
      const png = readFileSync(join(out, 'plots', `${name}.png`));
      expect([...png.subarray(0, 8)], name).toEqual(PNG_SIGNATURE);
    }
    // the titles and axis titles reach the SVG
    const acc = readFileSync(join(out, 'plots', 'reference-test-accuracy.svg'), 'utf8');
    for (const text of ['Test accuracy per epoch', 'test accuracy (%)', '>epoch<', '>activation<', '>relu<', '>arelu<', '1 diverged run not drawn']) {
      expect(acc).toContain(text);
    }
    expect([...readdirSync(out), ...written].filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('deletes per-group plots of groups that no longer exist, and nothing else', async () => {
    const out = join(dir, 'stale');
    const records = summaryFixture();
    await writeReport(out, records, { activationSheet: false, pngScale: 1 });
    const other = groupRuns(records)[1].id;
    expect(readdirSync(join(out, 'plots'))).toContain(`${other}-test-loss.png`);
    writeFileSync(join(out, 'plots', 'my-notes.png'), 'a file of the user');
    writeFileSync(join(out, 'plots', 'reference-test-loss.txt'), 'not a plot name');
    // Only the runs of the first reference group remain: the other group's and the stress plots go.
    const groupOf = (r: (typeof records)[number]) => JSON.stringify({ ...r.config, activation: 0, seed: 0 });
    const first = groupOf(records[0]);
    const kept = records.filter((r) => !r.config.stress && groupOf(r) === first);
    const files = await writeReport(out, kept, { activationSheet: false, pngScale: 1 });
    const left = readdirSync(join(out, 'plots')).sort();
    expect(left).toEqual([...files.plots.map((f) => f.slice(join(out, 'plots').length + 1)), 'my-notes.png', 'reference-test-loss.txt'].sort());
    expect(left.some((f) => /^(reference-[0-9a-f]{6}|stress)/.test(f))).toBe(false);
  });

  it('writes an empty report for no records, and skips the sheet on request', async () => {
    const out = join(dir, 'empty');
    const files = await writeReport(out, [], { activationSheet: false });
    expect(files.plots).toEqual([]);
    expect(readFileSync(join(out, 'table.md'), 'utf8')).toContain('No reference runs yet.');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).groups).toEqual([]);
  });
});
