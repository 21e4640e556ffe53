/**
 * Shape arithmetic for the replacement wasm matMul kernels: what a product's
 * dimensions are and which route computes it fastest and correctly on
 * tfjs-backend-wasm 4.22. Pure functions, no tensors.
 */
import * as tf from '@tensorflow/tfjs';

/** Dimensions of `matMul(a, b, transposeA, transposeB)`. */
export interface ProductPlan {
  /** Rows of the product (of `a` after its optional transpose). */
  m: number;
  /** Shared (inner) dimension. */
  k: number;
  /** Columns of the product (of `b` after its optional transpose). */
  n: number;
  /** Number of matrices in `a` (product of its leading dimensions). */
  batchA: number;
  /** Number of matrices in `b`. */
  batchB: number;
  /** Number of matrices in the product: `max(batchA, batchB)`. */
  batch: number;
  /** Shape of the product: broadcast leading dimensions, then `[m, n]`. */
  outShape: number[];
  /** Whether `a`'s last two axes are swapped before the product. */
  transposeA: boolean;
  /** Whether `b`'s last two axes are swapped before the product. */
  transposeB: boolean;
}

/**
 * How a product is computed.
 * - `zeros`: an empty product, or one with inner dimension 0 (all zeros).
 * - `stock`: the stock wasm kernel as called (tiny batched products, where
 *   its scalar loop beats per-matrix calls).
 * - `fold-b`: `b` is one matrix, so all of `a`'s rows form one 2-D product,
 *   which the stock kernel sends to XNNPACK.
 * - `swap`: single matrices with `b` transposed: compute `(bᵀ·aᵀ)ᵀ` instead,
 *   which moves fewer elements when `a` is the smaller operand (see
 *   {@link chooseRoute}).
 * - `fold-a`: `a` is one matrix; `b`'s matrices are laid side by side
 *   (one transpose) so that one 2-D XNNPACK product computes them all.
 * - `per-batch`: both sides batched; one 2-D XNNPACK product per matrix.
 */
export type ProductRoute = 'zeros' | 'stock' | 'fold-b' | 'swap' | 'fold-a' | 'per-batch';

/**
 * Below this many multiply-adds per matrix (m·k·n), a product with both sides
 * batched stays on the stock kernel: the per-matrix overhead of the
 * `per-batch` route (copies, kernel calls, XNNPACK operator set-up) exceeds
 * what it saves. On tfjs-backend-wasm 4.22 the two break even between 18³
 * and 20³ per matrix (timings in docs/performance.md).
 */
export const PER_BATCH_MIN_WORK = 20 * 20 * 20;

function product(dims: number[]): number {
  return dims.reduce((p, d) => p * d, 1);
}

/**
 * True when broadcasting `outer` to `full` repeats it as a whole, i.e. its
 * dimensions (leading ones removed) are the trailing dimensions of `full`.
 * Then matrix `i` of the broadcast is matrix `i % size(outer)`, which is how
 * tfjs' cpu and wasm kernels index a broadcast batch.
 */
export function isSuffixBroadcast(outer: number[], full: number[]): boolean {
  let start = 0;
  while (start < outer.length && outer[start] === 1) start++;
  const core = outer.slice(start);
  if (core.length > full.length) return false;
  const tail = full.slice(full.length - core.length);
  return core.every((d, i) => d === tail[i]);
}

/**
 * Works out the dimensions of `matMul(a, b, transposeA, transposeB)`.
 *
 * @param aShape - shape of `a`, rank ≥ 2: `[...batchDimsA, m, k]`
 *   (`[..., k, m]` when `transposeA`).
 * @param bShape - shape of `b`, rank ≥ 2: `[...batchDimsB, k, n]`
 *   (`[..., n, k]` when `transposeB`).
 * @param transposeA - whether `a`'s last two dimensions are swapped first.
 * @param transposeB - whether `b`'s last two dimensions are swapped first.
 * @returns the plan, or `null` when the replacement kernels should leave the
 *   call to the stock kernel (which then raises tfjs' usual error or applies
 *   its own semantics): a rank below 2, inner dimensions that differ, batch
 *   dimensions that do not broadcast, or a broadcast other than repeating a
 *   whole operand.
 */
export function planProduct(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): ProductPlan | null {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const kA = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const kB = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  if (kA !== kB) return null;
  const outerA = aShape.slice(0, -2);
  const outerB = bShape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  if (!isSuffixBroadcast(outerA, outer) || !isSuffixBroadcast(outerB, outer)) {
    return null;
  }
  const batchA = product(outerA);
  const batchB = product(outerB);
  const batch = Math.max(batchA, batchB);
  if (product(outer) !== batch) return null;
  return { m, k: kA, n, batchA, batchB, batch, outShape: [...outer, m, n], transposeA, transposeB };
}

/**
 * Elements a single-matrix product moves besides the multiplication itself:
 * transposes (tfjs `Transpose`) and XNNPACK's packing of the right operand,
 * which it redoes for every new right-hand tensor. Computed directly, `a` is
 * transposed when `transposeA`, `b` is transposed when `transposeB`, and `b`
 * is packed. Computed as `(bᵀ·aᵀ)ᵀ`, `b` is transposed unless `transposeB`,
 * `a` unless `transposeA`, `aᵀ` is packed and the result is transposed.
 */
function overhead(plan: ProductPlan): { direct: number; swapped: number } {
  const { m, k, n, transposeA, transposeB } = plan;
  const direct = (transposeA ? m * k : 0) + (transposeB ? 2 * n * k : n * k);
  const swapped = (transposeB ? 0 : n * k) + (transposeA ? m * k : 2 * m * k) + m * n;
  return { direct, swapped };
}

/**
 * Chooses how to compute a planned product (see {@link ProductRoute}).
 *
 * @param plan - from {@link planProduct}.
 * @returns the route; `zeros` when there is nothing to multiply, `swap` for a
 *   single-matrix product with `b` transposed when that moves fewer elements
 *   (a Dense layer's input gradient `dy·wᵀ` with a batch smaller than the
 *   layer), `stock` for batched products of fewer than
 *   {@link PER_BATCH_MIN_WORK} multiply-adds per matrix.
 */
export function chooseRoute(plan: ProductPlan): ProductRoute {
  const { m, k, n, batchA, batchB, batch } = plan;
  if (m === 0 || k === 0 || n === 0 || batch === 0) return 'zeros';
  if (batchB === 1) {
    if (batchA === 1 && plan.transposeB) {
      const { direct, swapped } = overhead(plan);
      if (swapped < direct) return 'swap';
    }
    return 'fold-b';
  }
  if (batchA === 1) return 'fold-a';
  return m * k * n >= PER_BATCH_MIN_WORK ? 'per-batch' : 'stock';
}
