/**
 * Replacement `kernelFunc`s for the wasm backend's `BatchMatMul` and
 * `_FusedMatMul`. Inputs they do not handle (non-float32, rank < 2,
 * mismatched or non-broadcastable shapes) go to the stock kernel unchanged,
 * so tfjs' usual errors and semantics apply there.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmBackendLike, TempTensors, viewAs } from './wasm_backend_access.js';
import { applyEpilogue, checkActivation, preluWeightsIndexFlat } from './wasm_fused_epilogue.js';
import { chooseRoute, planProduct, type ProductPlan } from './wasm_matmul_plan.js';
import { matMulProduct, untransposed3d, xnnProduct } from './wasm_matmul_product.js';
import type { StockKernels } from './wasm_stock_kernels.js';

function isFloat32(...xs: (tf.TensorInfo | undefined)[]): boolean {
  return xs.every((x) => x == null || x.dtype === 'float32');
}

/**
 * Builds the replacement `BatchMatMul` kernel function.
 *
 * Inputs `a` `[...batchDimsA, m, k]` and `b` `[...batchDimsB, k, n]`
 * (the last two axes swapped when `transposeA` / `transposeB`), float32;
 * output `[...broadcast(batchDimsA, batchDimsB), m, n]`.
 *
 * @param stock - the stock wasm kernels (the stock `BatchMatMul` among them).
 * @returns a kernel function for tfjs' kernel registry.
 */
export function makeBatchMatMulKernel(stock: StockKernels): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs = {} } = args;
    const { a, b } = inputs;
    const transposeA = Boolean(attrs.transposeA);
    const transposeB = Boolean(attrs.transposeB);
    if (a == null || b == null || !isWasmBackendLike(backend) || !isFloat32(a, b)) {
      return stock.batchMatMul.kernelFunc(args);
    }
    const plan = planProduct(a.shape, b.shape, transposeA, transposeB);
    if (plan == null) return stock.batchMatMul.kernelFunc(args);
    return matMulProduct(stock, backend, a, b, transposeA, transposeB, plan);
  };
}

/**
 * True when the stock fused kernel's XNNPACK path computes this fused product
 * correctly once its operands are untransposed and folded to one matrix:
 * bias absent or rank-1 of length n, PReLU weights flat-indexable.
 */
function xnnCanFuse(
  plan: ProductPlan,
  bias: tf.TensorInfo | undefined,
  prelu: tf.TensorInfo | undefined,
  activation: string,
): boolean {
  if (chooseRoute(plan) !== 'fold-b') return false;
  if (bias != null && !(bias.shape.length === 1 && bias.shape[0] === plan.n)) return false;
  if (activation === 'prelu') {
    return prelu != null && preluWeightsIndexFlat(prelu.shape, plan.outShape);
  }
  return true;
}

/**
 * Builds the replacement `_FusedMatMul` kernel function
 * (`tf.fused.matMul`): `activation(matMul(a, b) + bias)`.
 *
 * Inputs as for {@link makeBatchMatMulKernel}, plus optional `bias`
 * (broadcastable to the output) and `preluActivationWeights`; attributes
 * `transposeA`, `transposeB`, `activation` (linear, relu, relu6, elu, prelu,
 * leakyrelu, sigmoid) and `leakyreluAlpha`. Results equal tfjs' cpu backend's,
 * including the transposed and batched cases where the stock wasm kernel
 * misplaces the bias or clamps partial sums.
 *
 * @param stock - the stock wasm kernels.
 * @returns a kernel function for tfjs' kernel registry; it throws an Error
 *   naming the value for an unknown activation, or for `'prelu'` without
 *   weights.
 */
export function makeFusedMatMulKernel(stock: StockKernels): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs = {} } = args;
    const { a, b, bias, preluActivationWeights } = inputs;
    const transposeA = Boolean(attrs.transposeA);
    const transposeB = Boolean(attrs.transposeB);
    if (a == null || b == null || !isWasmBackendLike(backend) || !isFloat32(a, b, bias)) {
      return stock.fusedMatMul.kernelFunc(args);
    }
    const plan = planProduct(a.shape, b.shape, transposeA, transposeB);
    if (plan == null) return stock.fusedMatMul.kernelFunc(args);
    const activation = checkActivation(attrs.activation);
    const leakyreluAlpha = typeof attrs.leakyreluAlpha === 'number' ? attrs.leakyreluAlpha : 0;

    if (xnnCanFuse(plan, bias, preluActivationWeights, activation)) {
      const temps = new TempTensors(backend);
      try {
        const { m, k, n, batchA } = plan;
        const a3 = untransposed3d(stock, backend, a, batchA, transposeA, temps);
        const b3 = untransposed3d(stock, backend, b, 1, transposeB, temps);
        const out = xnnProduct(
          stock,
          backend,
          viewAs(a3, [1, batchA * m, k]),
          viewAs(b3, [1, k, n]),
          { bias, preluActivationWeights, activation, leakyreluAlpha },
        );
        out.shape = plan.outShape;
        return out;
      } finally {
        temps.disposeAll();
      }
    }
    const product = matMulProduct(stock, backend, a, b, transposeA, transposeB, plan);
    return applyEpilogue(stock, backend, product, {
      bias,
      preluActivationWeights,
      activation,
      leakyreluAlpha,
    });
  };
}
