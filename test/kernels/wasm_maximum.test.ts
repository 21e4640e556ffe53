/**
 * The replacement wasm Maximum kernel against tfjs' cpu backend (which
 * computes Math.max too) and the stock wasm kernel.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { optimizeWasmMatMul } from '../../src/index.js';
import { cpuStockFast, expectStableMemory, maxAbsDiff, seededTensor } from './wasm_test_util.js';

afterEach(() => {
  optimizeWasmMatMul()();
});

describe('Maximum', () => {
  const shapes: [number[], number[]][] = [
    [[129, 31], [129, 31]], // replaced: same shape
    [[1], [1]],
    [[129, 31], []], // stock: broadcasts
    [[4, 31], [31]],
    [[3, 1], [1, 4]],
  ];
  for (const [sa, sb] of shapes) {
    it(`[${sa}] with [${sb}] equals cpu and stock exactly`, async () => {
      const { cpu, stock, fast } = await cpuStockFast(() => tf.maximum(seededTensor(sa, 1), seededTensor(sb, 2)));
      expect(fast.shape).toEqual(cpu.shape);
      expect(maxAbsDiff(fast, cpu)).toBe(0);
      expect(maxAbsDiff(fast, stock)).toBe(0);
    });
  }

  it('propagates NaN from either operand and handles infinities and zeros as cpu does', async () => {
    const a = [NaN, 1, NaN, Infinity, -Infinity, 2, -3, 0, -0];
    const b = [1, NaN, NaN, -Infinity, 5, Infinity, -Infinity, -0, 0];
    const { cpu, fast } = await cpuStockFast(() => tf.maximum(tf.tensor1d(a), tf.tensor1d(b)));
    expect(Array.from(fast.values)).toEqual(Array.from(cpu.values));
    expect(Object.is(fast.values[7], 0)).toBe(true); // Math.max(0, -0) is +0
  });

  it('sends int32 tensors to the stock kernel (equal to cpu)', async () => {
    const { cpu, fast } = await cpuStockFast(() =>
      tf.maximum(tf.tensor1d([1, -2, 3, 7], 'int32'), tf.tensor1d([0, 5, 3, -8], 'int32')),
    );
    expect(Array.from(fast.values)).toEqual(Array.from(cpu.values));
  });

  it('keeps tensors and backend data buffers stable over many calls', async () => {
    await tf.setBackend('wasm');
    optimizeWasmMatMul();
    const a = seededTensor([64, 33], 3);
    const b = seededTensor([64, 33], 4);
    const round = () => tf.tidy(() => [tf.maximum(a, b), tf.maximum(a, tf.scalar(0))]).forEach((t) => t.dispose());
    expectStableMemory(round, 50);
    tf.dispose([a, b]);
  });
});
