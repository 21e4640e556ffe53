import * as tf from '@tensorflow/tfjs';
import { sigmoidSum } from '../kernels/sigmoid_sum.js';
import { checkArgNames, checkNumber, ElementwiseLayer, type Kwargs, type LayerArgs } from './common.js';

/**
 * Default a: -20, so the middle state 0 spans 0 < x < 20 (the same step distance as the default
 * 2-order {@link MSAF}); see the class documentation.
 */
export const DEFAULT_SYMMETRICAL_MSAF_A = -20;

/** Arguments of the {@link SymmetricalMSAF} layer: the usual tfjs layer arguments plus `a`. */
export interface SymmetricalMSAFArgs extends LayerArgs {
  /**
   * The shift a of the second sigmoid: a finite number < 0 (the paper asks for a value well below
   * 0, so that the three states are distinct). Default: -20.
   */
  a?: number;
}

const OWN_ARGS = ['a'] as const;

/**
 * Symmetrical multistate activation function of Cai, Xu, Ke and Su: element-wise
 *
 *     f(x) = -1 + 1 / (1 + exp(-x)) + 1 / (1 + exp(-x - a))  =  -1 + sigmoid(x) + sigmoid(x + a)
 *
 * with a fixed a < 0. Its three states are -1 (x << 0), 0 (0 << x << -a) and 1 (x >> -a); the
 * output range (-1, 1) is symmetric and f is odd about the point (-a/2, 0). It is the MSAF with
 * offset -1 and shifts b = [0, -a]. Derivative: s_1 (1 - s_1) + s_2 (1 - s_2) with
 * s_1 = sigmoid(x), s_2 = sigmoid(x + a). Nothing is learned.
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input, values in (-1, 1).
 *
 * Source: C. Cai, Y. Xu, D. Ke and K. Su, "Deep Neural Networks with Multistate Activation
 * Functions", Computational Intelligence and Neuroscience, vol. 2015, article 721367, 2015.
 * The sign convention (sigmoid(x + a) with a "significantly smaller than 0") is the paper's, as
 * quoted by Kunc and Kléma's activation survey. The default a = -20 could not be checked against
 * the paper's experiments; pass `a` to use another value.
 */
export class SymmetricalMSAF extends ElementwiseLayer {
  /** @nocollapse */
  static className = 'SymmetricalMSAF';

  private readonly a: number;

  /**
   * @throws Error when `a` is not a finite number < 0, or when `args` holds an argument name
   *   SymmetricalMSAF does not know.
   */
  constructor(args: SymmetricalMSAFArgs = {}) {
    super(args);
    checkArgNames('SymmetricalMSAF', args, OWN_ARGS);
    this.a =
      args.a === undefined
        ? DEFAULT_SYMMETRICAL_MSAF_A
        : checkNumber('SymmetricalMSAF', 'a', args.a, { max: 0, maxExclusive: true });
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return sigmoidSum(x, [0, -this.a], -1);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), a: this.a };
  }
}
tf.serialization.registerClass(SymmetricalMSAF);

/**
 * Creates a {@link SymmetricalMSAF} layer (Cai et al. 2015): f(x) = -1 + sigmoid(x) + sigmoid(x + a),
 * default a = -20.
 */
export function symmetricalMSAF(args?: SymmetricalMSAFArgs): SymmetricalMSAF {
  return new SymmetricalMSAF(args);
}
