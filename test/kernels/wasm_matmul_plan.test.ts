import { describe, expect, it } from 'vitest';
import {
  chooseRoute,
  isSuffixBroadcast,
  PER_BATCH_MIN_WORK,
  planProduct,
} from '../../src/kernels/wasm_matmul_plan.js';

describe('planProduct', () => {
  it('reads m, k, n from 2-D shapes under each transpose flag', () => {
    expect(planProduct([3, 5], [5, 7], false, false)).toMatchObject({ m: 3, k: 5, n: 7, outShape: [3, 7] });
    expect(planProduct([5, 3], [5, 7], true, false)).toMatchObject({ m: 3, k: 5, n: 7, outShape: [3, 7] });
    expect(planProduct([3, 5], [7, 5], false, true)).toMatchObject({ m: 3, k: 5, n: 7, outShape: [3, 7] });
    expect(planProduct([5, 3], [7, 5], true, true)).toMatchObject({ m: 3, k: 5, n: 7, outShape: [3, 7] });
  });

  it('broadcasts batch dimensions when one operand repeats whole', () => {
    expect(planProduct([2, 3, 4, 5], [5, 6], false, false)).toMatchObject({
      batchA: 6,
      batchB: 1,
      batch: 6,
      outShape: [2, 3, 4, 6],
    });
    expect(planProduct([4, 5], [2, 3, 5, 6], false, false)).toMatchObject({ batchA: 1, batchB: 6, outShape: [2, 3, 4, 6] });
    expect(planProduct([2, 3, 4, 5], [3, 5, 6], false, false)).toMatchObject({ batchA: 6, batchB: 3, batch: 6 });
    expect(planProduct([1, 4, 5], [4, 5, 6], false, false)).toMatchObject({ batchA: 1, batchB: 4, outShape: [4, 4, 6] });
  });

  it('leaves the stock kernel what it does not handle', () => {
    expect(planProduct([5], [5, 6], false, false)).toBeNull(); // rank 1
    expect(planProduct([4, 5], [4, 6], false, false)).toBeNull(); // inner mismatch
    expect(planProduct([2, 4, 5], [3, 5, 6], false, false)).toBeNull(); // 2 vs 3
    expect(planProduct([2, 1, 4, 5], [1, 3, 5, 6], false, false)).toBeNull(); // outer product of batches
    expect(planProduct([2, 3, 4, 5], [2, 1, 5, 6], false, false)).toBeNull(); // not a whole repeat
  });
});

describe('isSuffixBroadcast', () => {
  it('accepts trailing dimensions, leading ones and scalars', () => {
    expect(isSuffixBroadcast([3], [2, 3])).toBe(true);
    expect(isSuffixBroadcast([1, 1, 3], [2, 3])).toBe(true);
    expect(isSuffixBroadcast([], [2, 3])).toBe(true);
    expect(isSuffixBroadcast([2, 3], [2, 3])).toBe(true);
  });

  it('rejects interior ones and mismatches', () => {
    expect(isSuffixBroadcast([2, 1], [2, 3])).toBe(false);
    expect(isSuffixBroadcast([4], [2, 3])).toBe(false);
    expect(isSuffixBroadcast([1, 2, 3], [3])).toBe(false);
  });
});

describe('chooseRoute', () => {
  const plan = (m: number, k: number, n: number, batchA: number, batchB: number, transposeA = false, transposeB = false) => ({
    m,
    k,
    n,
    batchA,
    batchB,
    batch: Math.max(batchA, batchB),
    outShape: [],
    transposeA,
    transposeB,
  });

  it('folds a single-matrix b or a, splits large batched products, keeps tiny ones on stock', () => {
    expect(chooseRoute(plan(3, 4, 5, 1, 1))).toBe('fold-b');
    expect(chooseRoute(plan(3, 4, 5, 8, 1))).toBe('fold-b');
    expect(chooseRoute(plan(3, 4, 5, 1, 8))).toBe('fold-a');
    expect(chooseRoute(plan(32, 32, 32, 8, 8))).toBe('per-batch');
    expect(chooseRoute(plan(3, 4, 5, 8, 8))).toBe('stock');
    expect(32 * 32 * 32).toBeGreaterThanOrEqual(PER_BATCH_MIN_WORK);
  });

  it('swaps a transposed-b single-matrix product when that moves fewer elements', () => {
    // Dense input gradient dy·wᵀ: dy [128, 512], w [784, 512].
    expect(chooseRoute(plan(128, 512, 784, 1, 1, false, true))).toBe('swap');
    // Both transposed with m < 2k.
    expect(chooseRoute(plan(4, 9, 3, 1, 1, true, true))).toBe('swap');
    // b transposed but a the larger operand: direct.
    expect(chooseRoute(plan(784, 512, 16, 1, 1, false, true))).toBe('fold-b');
    // Only a transposed (Dense weight gradient xᵀ·dy): always direct.
    expect(chooseRoute(plan(784, 128, 512, 1, 1, true, false))).toBe('fold-b');
    // Untransposed: direct (b's packing may be cached).
    expect(chooseRoute(plan(1, 512, 512, 1, 1))).toBe('fold-b');
    // Batched: never swapped.
    expect(chooseRoute(plan(128, 512, 784, 2, 1, false, true))).toBe('fold-b');
  });

  it('returns zeros when there is nothing to multiply', () => {
    expect(chooseRoute(plan(3, 0, 5, 1, 1))).toBe('zeros');
    expect(chooseRoute(plan(0, 4, 5, 2, 2))).toBe('zeros');
  });
});
