/**
 * The stock tfjs-backend-wasm kernels that the replacement matMul kernels
 * build on, looked up in tfjs' public kernel registry.
 */
import * as tf from '@tensorflow/tfjs';
import { WASM_BACKEND } from './wasm_backend_access.js';

/** The stock wasm kernels that are replaced or that the replacements call. */
export interface StockKernels {
  batchMatMul: tf.KernelConfig;
  fusedMatMul: tf.KernelConfig;
  transpose: tf.KernelConfig;
  identity: tf.KernelConfig;
  add: tf.KernelConfig;
  tile: tf.KernelConfig;
  relu: tf.KernelConfig;
  relu6: tf.KernelConfig;
  elu: tf.KernelConfig;
  prelu: tf.KernelConfig;
  leakyRelu: tf.KernelConfig;
  sigmoid: tf.KernelConfig;
  gather: tf.KernelConfig;
  maximum: tf.KernelConfig;
}

/** Registry name of each kernel in {@link StockKernels}. */
export const STOCK_KERNEL_NAMES: Readonly<Record<keyof StockKernels, string>> = {
  batchMatMul: tf.BatchMatMul,
  fusedMatMul: tf._FusedMatMul,
  transpose: tf.Transpose,
  identity: tf.Identity,
  add: tf.Add,
  tile: tf.Tile,
  relu: tf.Relu,
  relu6: tf.Relu6,
  elu: tf.Elu,
  prelu: tf.Prelu,
  leakyRelu: tf.LeakyRelu,
  sigmoid: tf.Sigmoid,
  gather: tf.GatherV2,
  maximum: tf.Maximum,
};

/**
 * Looks up the kernels of {@link StockKernels} registered for the wasm backend.
 *
 * @param unwrap - maps a registered config to the stock config it replaced
 *   (identity for a stock config), so that the stock kernels are found even
 *   while replacements are registered.
 * @returns every stock kernel the replacements call or replace.
 * @throws Error naming the missing kernels when some are not registered for
 *   the wasm backend (i.e. `@tensorflow/tfjs-backend-wasm` was not imported,
 *   or a version without them was).
 */
export function lookUpStockKernels(
  unwrap: (config: tf.KernelConfig) => tf.KernelConfig,
): StockKernels {
  const found: Partial<StockKernels> = {};
  const missing: string[] = [];
  for (const key of Object.keys(STOCK_KERNEL_NAMES) as (keyof StockKernels)[]) {
    const config = tf.getKernel(STOCK_KERNEL_NAMES[key], WASM_BACKEND);
    if (config == null) missing.push(STOCK_KERNEL_NAMES[key]);
    else found[key] = unwrap(config);
  }
  if (missing.length > 0) {
    throw new Error(
      `optimizeWasmMatMul: the wasm backend's kernel(s) ${missing.join(', ')} ` +
        "are not registered; import '@tensorflow/tfjs-backend-wasm' (4.x) before calling it",
    );
  }
  return found as StockKernels;
}
