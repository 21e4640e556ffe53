import * as tf from '@tensorflow/tfjs';
import { scaledElu } from '../kernels/scaled_elu.js';
import { checkArgNames, checkNumber, ElementwiseLayer, type Kwargs, type LayerArgs } from './common.js';

/** Default alpha: 1, the value Clevert et al. use in their experiments (and tfjs' only value). */
export const DEFAULT_ELU_ALPHA = 1;

/** Arguments of the {@link AlphaELU} layer: the usual tfjs layer arguments plus `alpha`. */
export interface AlphaELUArgs extends LayerArgs {
  /** The saturation value alpha of the negative part: a finite number > 0. Default: 1. */
  alpha?: number;
}

const OWN_ARGS = ['alpha'] as const;

/**
 * Exponential linear unit with any alpha > 0 (tfjs' `ELU` layer throws for alpha != 1):
 * element-wise
 *
 *     f(x) = x                      for x > 0
 *     f(x) = alpha * (exp(x) - 1)   for x <= 0
 *
 * with derivative 1 for x > 0 and alpha * exp(x) = f(x) + alpha for x <= 0. For alpha != 1 the
 * derivative jumps at 0 (from alpha to 1); {@link CELU} is the continuously differentiable
 * variant. Nothing is learned.
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input, values in (-alpha, inf).
 *
 * For alpha = 1 it is tfjs' elu. Otherwise computed by `scaledElu` (src/kernels/scaled_elu.ts):
 * one JavaScript loop each way on the cpu backend, one WebAssembly SIMD kernel each way on wasm,
 * elsewhere elu(x) * step(x, alpha) with a gradient of EluGrad and one product. The derivative at
 * 0 is alpha (the negative side's).
 *
 * Source: D.-A. Clevert, T. Unterthiner and S. Hochreiter, "Fast and Accurate Deep Network
 * Learning by Exponential Linear Units (ELUs)", ICLR 2016 (arXiv:1511.07289), with
 * alpha > 0. Same function as PyTorch's `nn.ELU(alpha)` and Keras' `ELU(alpha)`.
 */
export class AlphaELU extends ElementwiseLayer {
  /** @nocollapse */
  static className = 'AlphaELU';

  private readonly alpha: number;

  /**
   * @throws Error when `alpha` is not a finite number > 0, or when `args` holds an argument name
   *   AlphaELU does not know.
   */
  constructor(args: AlphaELUArgs = {}) {
    super(args);
    checkArgNames('AlphaELU', args, OWN_ARGS);
    this.alpha =
      args.alpha === undefined ? DEFAULT_ELU_ALPHA : checkNumber('AlphaELU', 'alpha', args.alpha, { min: 0, minExclusive: true });
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return this.alpha === 1 ? tf.elu(x) : scaledElu(x, this.alpha, 1);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
tf.serialization.registerClass(AlphaELU);

/**
 * Creates an {@link AlphaELU} layer (Clevert et al. 2016): x for x > 0, alpha*(exp(x) - 1)
 * otherwise, any alpha > 0 (default 1).
 */
export function alphaELU(args?: AlphaELUArgs): AlphaELU {
  return new AlphaELU(args);
}
