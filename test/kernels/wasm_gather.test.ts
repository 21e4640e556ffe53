/**
 * The replacement wasm GatherV2 kernel against tfjs' cpu backend and the
 * stock wasm kernel: values must be the same copies, exactly.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { optimizeWasmMatMul } from '../../src/index.js';
import { cpuStockFast, expectStableMemory, maxAbsDiff, seededTensor } from './wasm_test_util.js';

afterEach(() => {
  optimizeWasmMatMul()();
});

/** Deterministic indices in [0, dim). */
function indices(count: number, dim: number, seed: number): number[] {
  return Array.from({ length: count }, (_, i) => (i * 7919 + seed * 104729) % dim);
}

describe('GatherV2', () => {
  // x shape, indices shape, axis, batchDims
  const cases: [number[], number[], number, number][] = [
    [[300, 129], [128], 0, 0], // fit's batch of rows (slice copied with set)
    [[300, 3], [17], 0, 0], // short slices (element loop)
    [[5, 300], [40], 1, 0], // columns
    [[4, 6, 5], [2, 3], 1, 0], // indices of rank 2
    [[3, 7, 20], [3, 4], 1, 1], // batchDims
    [[50], [50], 0, 0], // scalars
    [[2, 5], [0], 0, 0], // no index: empty output
  ];
  for (const [xs, is, axis, batchDims] of cases) {
    it(`x [${xs}] indices [${is}] axis ${axis} batchDims ${batchDims} equals cpu (and stock)`, async () => {
      const count = is.reduce((p, d) => p * d, 1);
      const f = () =>
        tf.gather(seededTensor(xs, 1), tf.tensor(indices(count, xs[axis], 3), is, 'int32'), axis, batchDims);
      const { cpu, stock, fast } = await cpuStockFast(f);
      expect(fast.shape).toEqual(cpu.shape);
      expect(maxAbsDiff(fast, cpu)).toBe(0);
      // The stock kernel misplaces rows when batchDims > 0 (tfjs-backend-wasm 4.22).
      if (batchDims === 0) expect(maxAbsDiff(fast, stock)).toBe(0);
    });
  }

  for (const dtype of ['int32', 'bool'] as const) {
    it(`copies ${dtype} tensors exactly`, async () => {
      const f = () => {
        const x = tf.tensor2d(Array.from({ length: 60 }, (_, i) => (i * 37) % 11), [20, 3], dtype);
        return tf.cast(tf.gather(x, tf.tensor1d([19, 0, 7, 7, 3], 'int32')), 'float32');
      };
      const { cpu, fast } = await cpuStockFast(f);
      expect(Array.from(fast.values)).toEqual(Array.from(cpu.values));
    });
  }

  it('leaves an out-of-range index to the stock kernel, which raises its error', async () => {
    await tf.setBackend('wasm');
    optimizeWasmMatMul();
    const x = tf.ones([4, 2]);
    expect(() => tf.gather(x, tf.tensor1d([1, 4], 'int32'))).toThrow(/index value 4 is not in \[0, 3\]/);
    expect(() => tf.gather(x, tf.tensor1d([-1], 'int32'))).toThrow(/index value -1 is not in \[0, 3\]/);
    x.dispose();
  });

  it('gathers the batches model.fit trains on (shuffled fit gives the same loss as cpu)', async () => {
    const fit = async () => {
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [6], units: 3, kernelInitializer: 'ones', activation: 'softmax' })],
      });
      model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      const xs = seededTensor([40, 6], 5);
      const ys = tf.oneHot(tf.tensor1d(indices(40, 3, 6), 'int32'), 3).toFloat();
      const history = await model.fit(xs, ys, { batchSize: 8, epochs: 2, shuffle: false, verbose: 0 });
      tf.dispose([xs, ys]);
      model.dispose();
      return history.history.loss as number[];
    };
    await tf.setBackend('cpu');
    const cpu = await fit();
    await tf.setBackend('wasm');
    optimizeWasmMatMul();
    const fast = await fit();
    fast.forEach((l, i) => expect(Math.abs(l - cpu[i])).toBeLessThanOrEqual(1e-5));
  });

  it('keeps tensors and backend data buffers stable over many calls', async () => {
    await tf.setBackend('wasm');
    optimizeWasmMatMul();
    const x = seededTensor([300, 129], 7);
    const rows = tf.tensor1d(indices(128, 300, 8), 'int32');
    const cols = tf.tensor1d(indices(5, 129, 9), 'int32');
    const round = () => tf.tidy(() => [tf.gather(x, rows), tf.gather(x, cols, 1)]).forEach((t) => t.dispose());
    expectStableMemory(round, 50);
    tf.dispose([x, rows, cols]);
  });
});
