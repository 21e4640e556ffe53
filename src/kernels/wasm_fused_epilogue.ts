/**
 * The part of `tf.fused.matMul` after the product: add the bias, apply the
 * fused activation. Used when the product cannot go through the stock fused
 * kernel's XNNPACK path (transposed-then-batched operands, bias of another
 * shape), each step by the wasm backend's own kernel, with the semantics of
 * tfjs' cpu backend (`add` with broadcasting, then the activation op).
 */
import * as tf from '@tensorflow/tfjs';
import { runKernelFunc, TempTensors, viewAs, type WasmBackendLike } from './wasm_backend_access.js';
import { isSuffixBroadcast } from './wasm_matmul_plan.js';
import type { StockKernels } from './wasm_stock_kernels.js';

/** The activations `tf.fused.matMul` accepts (tfjs 4.22). */
export const FUSED_ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'prelu',
  'leakyrelu',
  'sigmoid',
] as const;

/** One of {@link FUSED_ACTIVATIONS}. */
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

/**
 * Checks a `_FusedMatMul` activation attribute.
 *
 * @param activation - the `activation` attribute (tfjs passes `'linear'` by
 *   default).
 * @returns the activation, typed.
 * @throws Error naming the value and the allowed ones if it is not one of
 *   {@link FUSED_ACTIVATIONS}.
 */
export function checkActivation(activation: unknown): FusedActivation {
  const name = activation ?? 'linear';
  if (!(FUSED_ACTIVATIONS as readonly unknown[]).includes(name)) {
    throw new Error(
      `_FusedMatMul (optimized wasm kernel): activation ${JSON.stringify(activation)} ` +
        `is not supported; use one of ${FUSED_ACTIVATIONS.join(', ')}`,
    );
  }
  return name as FusedActivation;
}

/**
 * True when the stock wasm `Prelu` kernel (which indexes its weights as
 * `alpha[i % alpha.size]`) applies `alphaShape` to `xShape` the way tfjs'
 * broadcasting does: the weights' dimensions, leading ones removed, are the
 * trailing dimensions of `xShape`.
 */
export function preluWeightsIndexFlat(alphaShape: number[], xShape: number[]): boolean {
  return isSuffixBroadcast(alphaShape, xShape);
}

/** PReLU weights broadcast to `shape` (a temp) unless already flat-indexable. */
function preluWeightsFor(
  stock: StockKernels,
  backend: WasmBackendLike,
  alpha: tf.TensorInfo,
  shape: number[],
  temps: TempTensors,
): tf.TensorInfo {
  if (preluWeightsIndexFlat(alpha.shape, shape)) return alpha;
  const mismatch = () =>
    new Error(
      `_FusedMatMul (optimized wasm kernel): preluActivationWeights of shape ` +
        `[${alpha.shape}] do not broadcast to the product's shape [${shape}]`,
    );
  if (alpha.shape.length > shape.length) throw mismatch();
  const padded = [...new Array<number>(shape.length - alpha.shape.length).fill(1), ...alpha.shape];
  const reps = shape.map((d, i) => {
    if (padded[i] !== 1 && padded[i] !== d) throw mismatch();
    return padded[i] === d ? 1 : d;
  });
  return temps.add(runKernelFunc(stock.tile, { x: viewAs(alpha, padded) }, backend, { reps }));
}

/** The optional inputs and attributes of a fused product. */
export interface FusedEpilogue {
  bias?: tf.TensorInfo;
  preluActivationWeights?: tf.TensorInfo;
  activation: FusedActivation;
  leakyreluAlpha: number;
}

/**
 * Adds the bias to `product` and applies the activation, as tfjs' cpu backend
 * does for `tf.fused.matMul`.
 *
 * @param product - the plain product; owned by this function (freed or
 *   returned).
 * @param epilogue - bias (any shape broadcastable to the product's),
 *   activation, PReLU weights (broadcastable), leaky-ReLU slope.
 * @returns a tensor of `product`'s shape, owned by the caller.
 * @throws Error when `activation` is `'prelu'` without weights or the
 *   weights do not broadcast; whatever the stock kernels throw (e.g. a bias
 *   that does not broadcast). Temporaries and `product` are freed first.
 */
export function applyEpilogue(
  stock: StockKernels,
  backend: WasmBackendLike,
  product: tf.TensorInfo,
  epilogue: FusedEpilogue,
): tf.TensorInfo {
  const temps = new TempTensors(backend);
  temps.add(product);
  try {
    let x = product;
    const step = (config: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs?: tf.NamedAttrMap) => {
      const next = temps.add(runKernelFunc(config, inputs, backend, attrs));
      temps.dispose(x);
      x = next;
    };
    if (epilogue.bias != null) step(stock.add, { a: x, b: epilogue.bias });
    switch (epilogue.activation) {
      case 'linear':
        break;
      case 'relu':
        step(stock.relu, { x });
        break;
      case 'relu6':
        step(stock.relu6, { x });
        break;
      case 'elu':
        step(stock.elu, { x });
        break;
      case 'sigmoid':
        step(stock.sigmoid, { x });
        break;
      case 'leakyrelu':
        step(stock.leakyRelu, { x }, { alpha: epilogue.leakyreluAlpha });
        break;
      case 'prelu': {
        const weights = epilogue.preluActivationWeights;
        if (weights == null) {
          throw new Error(
            "_FusedMatMul (optimized wasm kernel): activation 'prelu' needs " +
              'preluActivationWeights, got none',
          );
        }
        step(stock.prelu, { x, alpha: preluWeightsFor(stock, backend, weights, x.shape, temps) });
        break;
      }
    }
    return temps.release(x);
  } finally {
    temps.disposeAll();
  }
}
