import { describe, expect, it } from 'vitest';
import { epochSeries, groupRuns, mean, sampleStd, summarize } from '../../src/bench/summary.js';
import { fakeRecord, summaryFixture } from '../helpers/run_records.js';

describe('mean and sampleStd', () => {
  it('match values computed by hand', () => {
    expect(mean([1, 2, 6])).toBe(3);
    // deviations -2, -1, 3: (4 + 1 + 9) / (3 - 1) = 7
    expect(sampleStd([1, 2, 6])).toBeCloseTo(Math.sqrt(7), 12);
    expect(sampleStd([5])).toBeNull();
    expect(sampleStd([])).toBeNull();
    expect(Number.isNaN(mean([]))).toBe(true);
  });
});

describe('groupRuns', () => {
  it('separates protocols, stress and backends, and keeps the latest record of a repeated seed', () => {
    const groups = groupRuns(summaryFixture());
    expect(groups.map((g) => g.id)).toEqual(['reference', expect.stringMatching(/^reference-[0-9a-f]{6}$/), 'stress']);
    const [main, longer, stress] = groups;
    expect(main.protocol.epochs).toBe(2);
    expect(main.duplicates).toBe(1);
    expect(main.runs.get('relu')!.map((r) => [r.seed, r.test.misclassificationRate])).toEqual([[1, 2.0], [2, 2.2], [3, 2.6]]);
    expect([...main.runs.keys()]).toEqual(['relu', 'arelu']);
    expect(longer.protocol.epochs).toBe(3);
    expect(longer.runs.get('relu')!.length).toBe(1);
    expect(stress.stress).toBe(true);
    expect(stress.protocol.hiddenBias).toBe(-1);
  });

  it('gives a section with one group the plain id, and puts another backend in its own group', () => {
    const records = [
      fakeRecord({ activation: 'relu', seed: 1, mr: 2 }),
      fakeRecord({ activation: 'relu', seed: 2, mr: 2 }),
      fakeRecord({ activation: 'relu', seed: 1, mr: 2, backend: 'cpu' }),
    ];
    const groups = groupRuns(records);
    expect(groups.map((g) => [g.id, g.backend, g.kernels])).toEqual([
      ['reference', 'wasm', 'optimized'],
      [expect.stringMatching(/^reference-[0-9a-f]{6}$/), 'cpu', null],
    ]);
    expect(groupRuns(records.slice(0, 2)).map((g) => g.id)).toEqual(['reference']);
  });

  it('keeps every id when records are added, even when a later group grows larger', () => {
    const first = [fakeRecord({ activation: 'relu', seed: 1, mr: 2 })];
    const other = (seed: number) => fakeRecord({ activation: 'relu', seed, mr: 2, config: { epochs: 5 } });
    const before = groupRuns([...first, other(1)]);
    const after = groupRuns([...first, other(1), other(2), other(3)]);
    const idOf = (groups: ReturnType<typeof groupRuns>, epochs: number) => groups.find((g) => g.protocol.epochs === epochs)!.id;
    expect(idOf(before, 2)).toBe('reference');
    expect(idOf(after, 2)).toBe('reference');
    expect(idOf(after, 5)).toBe(idOf(before, 5));
    expect(after[0].protocol.epochs).toBe(5); // listed first: most runs
  });

  it('does not depend on the key order of the config in the JSON', () => {
    const a = fakeRecord({ activation: 'relu', seed: 1, mr: 2 });
    const b = fakeRecord({ activation: 'relu', seed: 2, mr: 3 });
    b.config = Object.fromEntries(Object.entries(b.config).reverse()) as typeof b.config;
    expect(groupRuns([a, b]).length).toBe(1);
  });
});

describe('summarize', () => {
  const summary = summarize(summaryFixture());

  it('computes each row from its runs as by hand', () => {
    const main = summary.groups[0];
    const relu = main.rows.find((r) => r.activation === 'relu')!;
    expect(relu.runs).toBe(3);
    expect(relu.seeds).toEqual([1, 2, 3]);
    expect(relu.diverged).toBe(1);
    // MR 2.0, 2.2, 2.6: mean 6.8 / 3; deviations -0.2667, -0.0667, 0.3333 -> sum of squares 0.18667 / 2 -> sd 0.30551
    expect(relu.misclassificationRate.mean).toBeCloseTo(2.266667, 5);
    expect(relu.misclassificationRate.std).toBeCloseTo(0.305505, 5);
    expect(relu.misclassificationRate.best).toBe(2.0);
    expect(relu.misclassificationRate.worst).toBe(2.6);
    expect(relu.paperMisclassificationRate).toBe(2.08);
    expect(relu.paperLabel).toBe('ReLU');
    // final dead fractions 0.1 and 0.3 (seed 3 not measured)
    expect(relu.finalDeadFraction).toBeCloseTo(0.2, 12);
    expect(relu.deadFractionRuns).toBe(2);
    expect(relu.samplesPerSecond).toBe(2000);
    expect(relu.epochs).toBe(2);

    const arelu = main.rows.find((r) => r.activation === 'arelu')!;
    expect(arelu.runs).toBe(1);
    expect(arelu.misclassificationRate).toEqual({ mean: 1.5, std: null, best: 1.5, worst: 1.5 });
    expect(arelu.paperMisclassificationRate).toBe(1.2);
    expect(arelu.finalDeadFraction).toBe(0);
  });

  it('sorts rows by mean MR and gives other activations no paper value', () => {
    expect(summary.groups[0].rows.map((r) => r.activation)).toEqual(['arelu', 'relu']);
    const other = summarize([fakeRecord({ activation: 'gelu', seed: 1, mr: 2 })]).groups[0].rows[0];
    expect(other.paperMisclassificationRate).toBeNull();
    expect(other.paperLabel).toBeNull();
    expect(other.finalDeadFraction).toBeNull();
  });

  it('states records, date range, machines, backends and versions', () => {
    expect(summary.provenance).toEqual({
      records: 7,
      firstStartedAt: '2025-02-01T09:00:00.000Z',
      lastFinishedAt: '2025-02-02T12:30:00.000Z',
      machines: ['Test CPU (2 cores), linux-x64, Node v20.0.0'],
      backends: ['wasm (optimized kernels)'],
      versions: ['tfjs 4.22.0, tfjs-activations 0.1.0'],
    });
  });

  it('handles no records', () => {
    expect(summarize([])).toEqual({
      provenance: { records: 0, firstStartedAt: null, lastFinishedAt: null, machines: [], backends: [], versions: [] },
      groups: [],
    });
  });
});

describe('epochSeries', () => {
  it('averages each epoch over the runs that have a finite value there', () => {
    const a = fakeRecord({ activation: 'relu', seed: 1, mr: 2, valAcc: [0.9, 0.96, 0.97] });
    const b = fakeRecord({ activation: 'relu', seed: 2, mr: 2, valAcc: [0.8, 0.94, Number.NaN] });
    const points = epochSeries([a, b], (e) => e.valAcc);
    expect(points.map((p) => [p.epoch, p.n])).toEqual([[1, 2], [2, 2], [3, 1]]);
    expect(points[0].mean).toBeCloseTo(0.85, 12);
    // |0.9 - 0.8| / sqrt(2): the sample sd of two values
    expect(points[0].std).toBeCloseTo(0.1 / Math.SQRT2, 12);
    expect(points[1].min).toBeCloseTo(0.94, 12);
    expect(points[1].max).toBeCloseTo(0.96, 12);
    expect(points[2]).toEqual({ epoch: 3, n: 1, mean: 0.97, std: null, min: 0.97, max: 0.97 });
    expect(epochSeries([a, b], (e) => e.slope)).toEqual([]);
  });
});
