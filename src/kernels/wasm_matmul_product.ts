/**
 * The plain product `matMul(a, b, transposeA, transposeB)` on the wasm
 * backend, computed so that the work lands in the stock kernel's fast path.
 *
 * tfjs-backend-wasm 4.22 sends a product to XNNPACK only when neither operand
 * is transposed and both are single matrices; everything else goes through a
 * scalar triple loop that is about 10x slower. Here transposed operands are first
 * transposed by the backend's own `Transpose` kernel and batched products are
 * reshaped or split into single-matrix products (see {@link ProductRoute}).
 */
import * as tf from '@tensorflow/tfjs';
import { runKernelFunc, TempTensors, viewAs, type WasmBackendLike } from './wasm_backend_access.js';
import { chooseRoute, type ProductPlan } from './wasm_matmul_plan.js';
import type { StockKernels } from './wasm_stock_kernels.js';

/**
 * First `[k, n]` shape with which each `b` operand's data went to XNNPACK.
 * tfjs-backend-wasm caches one XNNPACK operator per `b` data id and ignores
 * the shape, so the same data under another shape (a reshape shares data)
 * would reuse a stale operator and abort the wasm module. Such a `b` is copied
 * first, which gives it a fresh id.
 */
const xnnWeightShapes = new WeakMap<object, string>();

/** Swaps the last two axes of a rank-3 tensor with the stock `Transpose`. */
function swapInner(stock: StockKernels, backend: WasmBackendLike, x3: tf.TensorInfo): tf.TensorInfo {
  return runKernelFunc(stock.transpose, { x: x3 }, backend, { perm: [0, 2, 1] });
}

/** `b3` as a `[1, k, n]` operand that cannot hit a stale XNNPACK operator. */
function safeWeights(
  stock: StockKernels,
  backend: WasmBackendLike,
  b3: tf.TensorInfo,
  temps: TempTensors,
): tf.TensorInfo {
  const key = `${b3.shape[1]},${b3.shape[2]}`;
  const seen = xnnWeightShapes.get(b3.dataId);
  if (seen === undefined) {
    xnnWeightShapes.set(b3.dataId, key);
    return b3;
  }
  if (seen === key) return b3;
  return temps.add(runKernelFunc(stock.identity, { x: b3 }, backend));
}

/** Inputs and attributes that turn a product into the stock fused kernel's. */
export interface XnnFusion {
  bias?: tf.TensorInfo;
  preluActivationWeights?: tf.TensorInfo;
  activation: string;
  leakyreluAlpha: number;
}

/**
 * One single-matrix product `a3 · b3` on the stock kernel's XNNPACK path;
 * with `fusion`, through the stock `_FusedMatMul` kernel, whose XNNPACK path
 * adds a rank-1 bias of length N and applies the activation correctly.
 *
 * @param a3 - `[1, M, K]`, untransposed.
 * @param b3 - `[1, K, N]`, untransposed.
 * @param fusion - bias and activation for the fused kernel, if any.
 * @returns a new `[1, M, N]` tensor owned by the caller.
 */
export function xnnProduct(
  stock: StockKernels,
  backend: WasmBackendLike,
  a3: tf.TensorInfo,
  b3: tf.TensorInfo,
  fusion?: XnnFusion,
): tf.TensorInfo {
  const temps = new TempTensors(backend);
  try {
    const b = safeWeights(stock, backend, b3, temps);
    const flags = { transposeA: false, transposeB: false };
    if (fusion == null) return runKernelFunc(stock.batchMatMul, { a: a3, b }, backend, flags);
    const { bias, preluActivationWeights, activation, leakyreluAlpha } = fusion;
    return runKernelFunc(stock.fusedMatMul, { a: a3, b, bias, preluActivationWeights }, backend, {
      ...flags,
      activation,
      leakyreluAlpha,
    });
  } finally {
    temps.disposeAll();
  }
}

/**
 * `x` (rank ≥ 2, float32) as rank-3 `[batch, rows, cols]`, its last two axes
 * swapped when `swap`: a view of `x`, or a transposed copy recorded in
 * `temps`. With `swap` = the op's transpose flag this gives the operand as
 * the product uses it.
 */
export function untransposed3d(
  stock: StockKernels,
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  batch: number,
  swap: boolean,
  temps: TempTensors,
): tf.TensorInfo {
  const r = x.shape.length;
  const view = viewAs(x, [batch, x.shape[r - 2], x.shape[r - 1]]);
  return swap ? temps.add(swapInner(stock, backend, view)) : view;
}

/** Copies matrix `index` of rank-3 `src` into a new `[1, rows, cols]` temp. */
function copyMatrix(
  backend: WasmBackendLike,
  src: tf.TensorInfo,
  index: number,
  temps: TempTensors,
): tf.TensorInfo {
  const [, rows, cols] = src.shape;
  const size = rows * cols;
  const dst = temps.add(backend.makeOutput([1, rows, cols], 'float32'));
  // Views are taken after the allocation, which may have grown the heap.
  const from = backend.typedArrayFromHeap(src);
  backend.typedArrayFromHeap(dst).set(from.subarray(index * size, (index + 1) * size));
  return dst;
}

/** Both operands batched: one XNNPACK product per output matrix. */
function perBatchProduct(
  stock: StockKernels,
  backend: WasmBackendLike,
  a3: tf.TensorInfo,
  b3: tf.TensorInfo,
  plan: ProductPlan,
  temps: TempTensors,
): tf.TensorInfo {
  const { m, n, batch, batchA, batchB } = plan;
  const out = temps.add(backend.makeOutput([batch, m, n], 'float32'));
  for (let i = 0; i < batch; i++) {
    const ai = copyMatrix(backend, a3, i % batchA, temps);
    // A fresh copy per product: XNNPACK's operator cache is keyed on b's id.
    const bi = copyMatrix(backend, b3, i % batchB, temps);
    const r = temps.add(xnnProduct(stock, backend, ai, bi));
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(r), i * m * n);
    temps.dispose(r);
    temps.dispose(bi);
    temps.dispose(ai);
  }
  return temps.release(out);
}

/**
 * `a` is one matrix, `b` several: lay `b`'s matrices side by side as
 * `[k, batch·n]` (one transpose), take one XNNPACK product, then move the
 * batch axis back to the front (another transpose).
 */
function foldAProduct(
  stock: StockKernels,
  backend: WasmBackendLike,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  plan: ProductPlan,
  temps: TempTensors,
): tf.TensorInfo {
  const { m, k, n, batchB } = plan;
  const a3 = untransposed3d(stock, backend, a, 1, transposeA, temps);
  // [batch, k, n] -> [k, batch, n]; from [batch, n, k] in one step.
  const bView = viewAs(b, transposeB ? [batchB, n, k] : [batchB, k, n]);
  const perm = transposeB ? [2, 0, 1] : [1, 0, 2];
  const side = temps.add(runKernelFunc(stock.transpose, { x: bView }, backend, { perm }));
  const wide = temps.add(xnnProduct(stock, backend, a3, viewAs(side, [1, k, batchB * n])));
  return runKernelFunc(stock.transpose, { x: viewAs(wide, [m, batchB, n]) }, backend, {
    perm: [1, 0, 2],
  });
}

/**
 * Computes `matMul(a, b, transposeA, transposeB)` for float32 operands whose
 * shapes `plan` describes, through the route {@link chooseRoute} picks.
 *
 * @param stock - the stock wasm kernels.
 * @param backend - the wasm backend object the kernel was given.
 * @param a - `[...batchDimsA, m, k]` (`[..., k, m]` when `transposeA`).
 * @param b - `[...batchDimsB, k, n]` (`[..., n, k]` when `transposeB`).
 * @param plan - `planProduct(a.shape, b.shape, transposeA, transposeB)`.
 * @returns a new tensor of shape `plan.outShape`, owned by the caller.
 * @throws whatever the stock kernels throw; temporaries are freed first.
 */
export function matMulProduct(
  stock: StockKernels,
  backend: WasmBackendLike,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  plan: ProductPlan,
): tf.TensorInfo {
  const route = chooseRoute(plan);
  if (route === 'stock') {
    return runKernelFunc(stock.batchMatMul, { a, b }, backend, { transposeA, transposeB });
  }
  const temps = new TempTensors(backend);
  try {
    let out: tf.TensorInfo;
    if (route === 'zeros') {
      out = backend.makeOutput(plan.outShape, 'float32');
      backend.typedArrayFromHeap(out).fill(0);
    } else if (route === 'swap') {
      // out = (bᵀ·aᵀ)ᵀ: bᵀ is [n, k] rows, aᵀ [k, m] the packed operand.
      const { m, n } = plan;
      const bT = untransposed3d(stock, backend, b, 1, !transposeB, temps);
      const aT = untransposed3d(stock, backend, a, 1, !transposeA, temps);
      const outT = temps.add(xnnProduct(stock, backend, bT, aT));
      out = swapInner(stock, backend, viewAs(outT, [1, n, m]));
    } else if (route === 'fold-a') {
      out = foldAProduct(stock, backend, a, b, transposeA, transposeB, plan, temps);
    } else {
      const { m, k, n, batchA, batchB } = plan;
      const a3 = untransposed3d(stock, backend, a, batchA, transposeA, temps);
      const b3 = untransposed3d(stock, backend, b, batchB, transposeB, temps);
      out =
        route === 'fold-b'
          ? xnnProduct(stock, backend, viewAs(a3, [1, batchA * m, k]), viewAs(b3, [1, k, n]))
          : perBatchProduct(stock, backend, a3, b3, plan, temps);
    }
    out.shape = plan.outShape;
    return out;
  } finally {
    temps.disposeAll();
  }
}
