import * as tf from '@tensorflow/tfjs';
import { scaledElu } from '../kernels/scaled_elu.js';
import { checkArgNames, checkNumber, ElementwiseLayer, type Kwargs, type LayerArgs } from './common.js';

/** Default alpha: 1 (CELU then equals ELU with alpha 1), as in PyTorch's `nn.CELU`. */
export const DEFAULT_CELU_ALPHA = 1;

/** Arguments of the {@link CELU} layer: the usual tfjs layer arguments plus `alpha`. */
export interface CELUArgs extends LayerArgs {
  /**
   * The shape parameter alpha: a number > 0 and at most 2^126 (8.5e37; beyond, 1 / alpha is no
   * longer a normal float32 and the float32 kernels lose accuracy). Default: 1.
   */
  alpha?: number;
}

const OWN_ARGS = ['alpha'] as const;

/** The largest alpha: 2^126, whose reciprocal 2^-126 is float32's smallest normal number. */
export const CELU_MAX_ALPHA = 2 ** 126;

/**
 * Continuously differentiable exponential linear unit (CELU) of Barron: element-wise
 *
 *     f(x) = max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
 *
 * i.e. x for x >= 0 and alpha * (exp(x / alpha) - 1) for x < 0, with derivative 1 for x >= 0 and
 * exp(x / alpha) for x < 0: continuous at 0 for every alpha (unlike {@link AlphaELU}), and
 * bounded by 1. Nothing is learned.
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input, values in (-alpha, inf).
 *
 * Computed as alpha * elu(x / alpha), which is the same function (elu(u) = u for u > 0,
 * exp(u) - 1 otherwise). For alpha = 1 it is tfjs' elu; otherwise `scaledElu`
 * (src/kernels/scaled_elu.ts): one JavaScript loop each way on the cpu backend, one WebAssembly
 * SIMD kernel each way on wasm, elsewhere tfjs' Elu with a gradient of one EluGrad kernel.
 *
 * Source: J. T. Barron, "Continuously Differentiable Exponential Linear Units", arXiv:1704.07483,
 * 2017. Same function as PyTorch's `nn.CELU(alpha)`; tfjs has no CELU.
 */
export class CELU extends ElementwiseLayer {
  /** @nocollapse */
  static className = 'CELU';

  private readonly alpha: number;

  /**
   * @throws Error when `alpha` is not a finite number > 0 and <= 2^126, or when `args` holds an argument name
   *   CELU does not know.
   */
  constructor(args: CELUArgs = {}) {
    super(args);
    checkArgNames('CELU', args, OWN_ARGS);
    this.alpha =
      args.alpha === undefined ? DEFAULT_CELU_ALPHA : checkNumber('CELU', 'alpha', args.alpha, { min: 0, minExclusive: true, max: CELU_MAX_ALPHA });
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return this.alpha === 1 ? tf.elu(x) : scaledElu(x, this.alpha, this.alpha);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
tf.serialization.registerClass(CELU);

/**
 * Creates a {@link CELU} layer (Barron 2017): max(0, x) + min(0, alpha*(exp(x/alpha) - 1)),
 * alpha > 0 (default 1).
 */
export function celu(args?: CELUArgs): CELU {
  return new CELU(args);
}
