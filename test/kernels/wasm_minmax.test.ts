/**
 * The replacement wasm Maximum/Minimum kernels against tfjs' cpu backend.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { optimizeWasmMatMul } from '../../src/index.js';
import { maxAbsDiff, runOn, seededTensor, type Result } from './wasm_test_util.js';

afterEach(() => {
  optimizeWasmMatMul()();
});

async function cpuStockFast(f: () => tf.Tensor): Promise<{ cpu: Result; stock: Result; fast: Result }> {
  const cpu = await runOn('cpu', f);
  const restore = optimizeWasmMatMul();
  restore();
  const stock = await runOn('wasm', f);
  optimizeWasmMatMul();
  const fast = await runOn('wasm', f);
  restore();
  return { cpu, stock, fast };
}

const OPS = [
  ['maximum', tf.maximum],
  ['minimum', tf.minimum],
] as const;

// [shape of a], [shape of b]: same shape, scalars, a row, leading ones,
// and a broadcast the replacement leaves to the stock kernel.
const SHAPES: [number[], number[]][] = [
  [[129, 31], [129, 31]],
  [[129, 31], []],
  [[], [3, 5]],
  [[4, 31], [31]],
  [[5], [1, 1, 5]],
  [[3, 1], [1, 4]],
  [[1], [1]],
];

describe('Maximum and Minimum', () => {
  for (const [name, op] of OPS) {
    for (const [sa, sb] of SHAPES) {
      it(`${name} [${sa}] with [${sb}] equals cpu and stock exactly`, async () => {
        const { cpu, stock, fast } = await cpuStockFast(() => op(seededTensor(sa, 1), seededTensor(sb, 2)));
        expect(fast.shape).toEqual(cpu.shape);
        expect(maxAbsDiff(fast, cpu)).toBe(0);
        expect(maxAbsDiff(fast, stock)).toBe(0);
      });
    }

    it(`${name} propagates NaN from either operand and handles infinities as cpu does`, async () => {
      const a = [NaN, 1, NaN, Infinity, -Infinity, 2, -3, 0.5];
      const b = [1, NaN, NaN, -Infinity, 5, Infinity, -Infinity, 0.25];
      const { cpu, fast } = await cpuStockFast(() => op(tf.tensor1d(a), tf.tensor1d(b)));
      expect(Array.from(fast.values)).toEqual(Array.from(cpu.values));
      // Scalar broadcast path too.
      const s = await cpuStockFast(() => op(tf.tensor1d(a), tf.scalar(NaN)));
      expect(Array.from(s.fast.values)).toEqual(Array.from(s.cpu.values));
    });

    it(`${name} of int32 tensors goes to the stock kernel and equals cpu`, async () => {
      const { cpu, fast } = await cpuStockFast(() =>
        op(tf.tensor1d([1, -2, 3, 7], 'int32'), tf.tensor1d([0, 5, 3, -8], 'int32')),
      );
      expect(Array.from(fast.values)).toEqual(Array.from(cpu.values));
    });
  }

  it('keeps tensors and backend data buffers stable over many calls', async () => {
    await tf.setBackend('wasm');
    optimizeWasmMatMul();
    const a = seededTensor([64, 33], 3);
    const b = seededTensor([33], 4);
    const round = () => [tf.maximum(a, b), tf.minimum(a, a), tf.maximum(a, tf.scalar(0))].forEach((t) => t.dispose());
    round();
    const before = { ...tf.memory(), ids: tf.backend().numDataIds() };
    for (let i = 0; i < 50; i++) tf.tidy(round);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.backend().numDataIds()).toBe(before.ids);
    tf.dispose([a, b]);
  });
});
