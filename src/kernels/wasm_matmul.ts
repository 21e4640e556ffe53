/**
 * Faster (and, for fused transposed products, correct) matrix products on
 * tfjs' wasm backend, by replacing its `BatchMatMul` and `_FusedMatMul`
 * kernels through tfjs' public kernel registry.
 *
 * Why: tfjs-backend-wasm 4.22 computes a product with XNNPACK only when
 * neither operand is transposed and both are single matrices; otherwise it
 * runs a scalar loop about 10x slower, which also mishandles a fused bias
 * and clamps partial sums for relu/relu6. A Dense layer's backward pass is
 * made of exactly such transposed products. The replacements transpose the
 * operands with the backend's own `Transpose` kernel (and split or fold
 * batched products) so that every product takes the XNNPACK path. The
 * `GatherV2` kernel, with which `model.fit` cuts out every batch, and the
 * `Maximum` kernel, which Adamax calls on every weight, are the next slow
 * paths of the same kind in a training step and are replaced too.
 * This works around tfjs-backend-wasm; it becomes unnecessary once tfjs
 * routes these products to XNNPACK itself. See docs/performance.md.
 */
import * as tf from '@tensorflow/tfjs';
import { WASM_BACKEND } from './wasm_backend_access.js';
import { makeGatherKernel } from './wasm_gather.js';
import { makeBatchMatMulKernel, makeFusedMatMulKernel } from './wasm_matmul_kernels.js';
import { makeMaximumKernel } from './wasm_maximum.js';
import { lookUpStockKernels, type StockKernels } from './wasm_stock_kernels.js';

/**
 * Marks a replacement kernel function and holds the stock kernel config it
 * replaced. `Symbol.for` so that a second copy of this library (an ESM and a
 * CJS build loaded together) recognises the mark too and never wraps twice.
 */
const STOCK = Symbol.for('tfjs-activations.wasmMatMul.stockKernel');

type MarkedKernelFunc = tf.KernelFunc & { [STOCK]?: tf.KernelConfig };

/** The kernels replaced, each with the builder of its replacement. */
const REPLACEMENTS: readonly {
  kernelName: string;
  stock: (k: StockKernels) => tf.KernelConfig;
  make: (k: StockKernels) => tf.KernelFunc;
}[] = [
  { kernelName: tf.BatchMatMul, stock: (k) => k.batchMatMul, make: makeBatchMatMulKernel },
  { kernelName: tf._FusedMatMul, stock: (k) => k.fusedMatMul, make: makeFusedMatMulKernel },
  { kernelName: tf.GatherV2, stock: (k) => k.gather, make: (k) => makeGatherKernel(k.gather) },
  { kernelName: tf.Maximum, stock: (k) => k.maximum, make: (k) => makeMaximumKernel(k.maximum) },
];

/** Names of the wasm kernels {@link optimizeWasmMatMul} replaces. */
export const REPLACED_KERNELS: readonly string[] = REPLACEMENTS.map((r) => r.kernelName);

function registered(kernelName: string): tf.KernelConfig | undefined {
  return tf.getKernel(kernelName, WASM_BACKEND) ?? undefined;
}

/** The stock config behind `config`: itself unless it is a replacement. */
function stockOf(config: tf.KernelConfig): tf.KernelConfig {
  return (config.kernelFunc as MarkedKernelFunc)[STOCK] ?? config;
}

function isReplacement(config: tf.KernelConfig | undefined): boolean {
  return config != null && (config.kernelFunc as MarkedKernelFunc)[STOCK] != null;
}

/** Swaps `stock` for a config with the same name, setup and dispose. */
function install(stock: tf.KernelConfig, kernelFunc: tf.KernelFunc): void {
  const marked = ((args: Parameters<tf.KernelFunc>[0]) => kernelFunc(args)) as MarkedKernelFunc;
  marked[STOCK] = stock;
  tf.unregisterKernel(stock.kernelName, WASM_BACKEND);
  // setupFunc/disposeFunc are the stock ones: if the backend is initialised
  // after this call, tfjs runs them from this config.
  tf.registerKernel({ ...stock, kernelFunc: marked });
}

/**
 * Puts the stock wasm kernels back wherever a replacement is registered;
 * does nothing otherwise.
 */
function restoreStockKernels(): void {
  for (const name of REPLACED_KERNELS) {
    const current = registered(name);
    if (current == null || !isReplacement(current)) continue;
    tf.unregisterKernel(name, WASM_BACKEND);
    tf.registerKernel(stockOf(current));
  }
}

/**
 * Replaces the wasm backend's `BatchMatMul` and `_FusedMatMul` kernels
 * (used by `tf.matMul`, `tf.dot`, `tf.fused.matMul` and tfjs-layers' Dense)
 * with versions that take tfjs-backend-wasm's fast XNNPACK path for
 * transposed and batched products. A Dense layer's backward pass consists of
 * such products: training the reference MLP on wasm runs about 5.5x faster (5.1-5.7x measured, e.g. 552 -> 3,063 samples/s).
 * Results equal the cpu backend's within float32 rounding, including
 * `tf.fused.matMul` with a bias and a transposed operand, where the stock
 * wasm kernel is wrong.
 *
 * It also replaces two kernels that the profile of a training step showed
 * to be the next slow paths of the same kind: `GatherV2` (`tf.gather`;
 * `model.fit` gathers every batch's rows, and the stock kernel copies them
 * element by element, about 25x slower than copying whole rows) and, for
 * same-shape float32 tensors, `Maximum` (Adamax; the stock kernel's generic
 * broadcasting loop is slower than a plain `Math.max` loop).
 *
 * Works in browsers and Node; call it after importing
 * `@tensorflow/tfjs-backend-wasm` (this library never imports it), before or
 * after `tf.setBackend('wasm')`. It changes nothing for other backends.
 * Idempotent: a second call while the replacements are registered changes
 * nothing. Shapes, dtypes and errors of the ops are unchanged; inputs the
 * replacements do not handle (e.g. int32) go to the stock kernels.
 *
 * Works around slow paths of tfjs-backend-wasm 4.22; unnecessary once tfjs
 * fixes them upstream (see docs/performance.md).
 *
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * const restore = optimizeWasmMatMul();
 * await tf.setBackend('wasm');
 * // ... train ...
 * restore(); // stock kernels again
 * ```
 *
 * @returns a function that restores the stock kernels. Calling any such
 *   function restores them if replacements are registered (from this or a
 *   later call) and does nothing otherwise.
 * @throws Error if the wasm backend's `BatchMatMul`, `_FusedMatMul`,
 *   `GatherV2` or `Maximum` kernel, or a wasm kernel the replacements call
 *   (Transpose, Identity, Add, Tile, Relu, Relu6, Elu, Prelu, LeakyRelu,
 *   Sigmoid), is not registered, i.e. `@tensorflow/tfjs-backend-wasm` was
 *   not imported. Nothing is replaced then.
 */
export function optimizeWasmMatMul(): () => void {
  if (registered(tf.BatchMatMul) == null || registered(tf._FusedMatMul) == null) {
    throw new Error(
      "optimizeWasmMatMul: the wasm backend's BatchMatMul/_FusedMatMul kernels are not " +
        `registered (backends registered: ${Object.keys(tf.engine().registryFactory).join(', ') || 'none'}); ` +
        "import '@tensorflow/tfjs-backend-wasm' before calling it",
    );
  }
  const stock = lookUpStockKernels(stockOf);
  for (const r of REPLACEMENTS) {
    if (!isReplacement(registered(r.kernelName))) install(r.stock(stock), r.make(stock));
  }
  return restoreStockKernels;
}

/**
 * Tells whether the replacement wasm kernels are registered, e.g. for
 * recording which kernels a benchmark or training run used.
 *
 * @returns true when the wasm `BatchMatMul`, `_FusedMatMul`, `GatherV2` and
 *   `Maximum` kernels are the replacements of {@link optimizeWasmMatMul};
 *   false when any is the stock kernel or the wasm backend is not registered.
 */
export function isWasmMatMulOptimized(): boolean {
  return REPLACED_KERNELS.every((name) => isReplacement(registered(name)));
}
