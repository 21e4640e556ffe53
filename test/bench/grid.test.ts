import { describe, expect, it } from 'vitest';
import { estimateMinutesLeft, parseSeeds, parseShard, pendingRuns, planGrid, runKey, takeShard } from '../../src/bench/grid.js';
import type { RunConfig, RunRecord } from '../../src/experiment/record.js';

const protocol: Omit<RunConfig, 'activation' | 'seed'> = {
  epochs: 20, batchSize: 128, lr: 0.001, initialSlope: 0.1, trainSize: 60000, testSize: 10000, hiddenBias: 0, stress: false, probeSize: 1000,
};

describe('benchmark grid', () => {
  const grid = planGrid(['relu', 'arelu', 'elu'], [1, 2, 3, 4], protocol);

  it('plans every activation x seed once', () => {
    expect(grid).toHaveLength(12);
    expect(new Set(grid.map(runKey)).size).toBe(12);
    expect(grid.filter((r) => r.activation === 'elu').map((r) => r.seed)).toEqual([1, 2, 3, 4]);
  });

  it.each([1, 2, 3, 5, 12, 13])('splits into %i shards that cover the grid exactly once', (n) => {
    const seen = Array.from({ length: n }, (_, i) => takeShard(grid, { index: i + 1, count: n })).flat();
    expect(seen).toHaveLength(grid.length);
    expect(new Set(seen.map(runKey))).toEqual(new Set(grid.map(runKey)));
  });

  it('keys a run by activation, seed and every setting, not by key order', () => {
    const a = { ...protocol, activation: 'relu', seed: 1 };
    const reordered = Object.fromEntries(Object.entries(a).reverse()) as unknown as RunConfig;
    expect(runKey(reordered)).toBe(runKey(a));
    expect(runKey({ ...a, epochs: 19 })).not.toBe(runKey(a));
    expect(runKey({ ...a, stress: true })).not.toBe(runKey(a));
    expect(runKey({ ...a, seed: 2 })).not.toBe(runKey(a));
  });

  it('skips runs already recorded with the same settings only', () => {
    const done = [grid[0], grid[5]].map((config) => ({ config }) as RunRecord);
    const other = { config: { ...grid[1], epochs: 2 } } as RunRecord;
    const pending = pendingRuns(grid, [...done, other]);
    expect(pending).toHaveLength(10);
    expect(pending).not.toContainEqual(grid[0]);
    expect(pending).toContainEqual(grid[1]);
  });

  it('counts a recorded run as done only on the backend and kernels asked for', () => {
    const rec = (backend: string, kernels: RunRecord['kernels']) => ({ config: grid[0], backend, kernels }) as RunRecord;
    const wasm = [rec('wasm', 'optimized')];
    const left = (done: RunRecord[], backend: string, stockKernels = false) => pendingRuns([grid[0]], done, { backend, stockKernels }).length;
    expect(left(wasm, 'auto')).toBe(0);
    expect(left(wasm, 'wasm')).toBe(0);
    expect(left(wasm, 'cpu')).toBe(1); // asked for cpu: the wasm record does not count
    expect(left(wasm, 'wasm', true)).toBe(1); // asked for stock kernels
    expect(left([rec('wasm', 'stock')], 'auto')).toBe(1); // a stock-kernel run is not the default's
    expect(left([rec('wasm', 'stock')], 'wasm', true)).toBe(0);
    expect(left([rec('cpu', null)], 'auto')).toBe(0);
    expect(left([rec('cpu', null)], 'cpu')).toBe(0);
    expect(left([rec('cpu', null)], 'auto', true)).toBe(0); // --stock-kernels is about wasm only
  });

  it('parses seeds and shards, and names the flag and value when they are wrong', () => {
    expect(parseSeeds('1,2,3')).toEqual([1, 2, 3]);
    expect(parseSeeds('1-3, 7')).toEqual([1, 2, 3, 7]);
    expect(() => parseSeeds('1,x')).toThrow(/--seeds must be a comma list .* got '1,x'/);
    expect(() => parseSeeds('1,1')).toThrow(/--seeds lists a seed twice/);
    expect(() => parseSeeds('-1')).toThrow(/--seeds must be/);
    expect(() => parseSeeds('1-1000000')).toThrow(/--seeds: the range 1-1000000 holds more than 1000 seeds/);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('0/2')).toThrow(/--shard must be i\/n with 1 <= i <= n .* got '0\/2'/);
    expect(() => parseShard('3/2')).toThrow(/got '3\/2'/);
    expect(() => parseShard('1-2')).toThrow(/got '1-2'/);
  });
});

describe('estimateMinutesLeft', () => {
  it('has nothing to go by before a run has finished', () => {
    expect(estimateMinutesLeft({ finishedMinutes: [], running: [{ minutes: 3, done: 0.1 }], queued: 4, workers: 2 })).toBeNull();
  });

  it('hands queued runs to the worker free first and waits for the last', () => {
    // 5 queued runs of 10 min on 2 idle workers: 3 in a row on one of them.
    expect(estimateMinutesLeft({ finishedMinutes: [10], running: [], queued: 5, workers: 2 })).toBe(30);
    // Runs of 10 min: one at 9 min with nothing reported yet (1 left), 3 queued: 1+10+10 on it, 10 on the other.
    expect(estimateMinutesLeft({ finishedMinutes: [10], running: [{ minutes: 9, done: 0 }], queued: 3, workers: 2 })).toBe(20);
    // One worker: all of it in a row.
    expect(estimateMinutesLeft({ finishedMinutes: [10, 20], running: [{ minutes: 5, done: 0 }], queued: 2, workers: 1 })).toBe(40);
  });

  it("goes by a running run's own pace once it has finished epochs", () => {
    // 15 min for 3 of 4 epochs: 5 min left, although the mean run took 10.
    expect(estimateMinutesLeft({ finishedMinutes: [10], running: [{ minutes: 15, done: 0.75 }], queued: 0, workers: 2 })).toBeCloseTo(5, 10);
    expect(estimateMinutesLeft({ finishedMinutes: [10], running: [], queued: 0, workers: 2 })).toBe(0);
  });
});
