import * as tf from '@tensorflow/tfjs';
import {
  builtWeight,
  checkArgNames,
  checkNumber,
  checkOption,
  ElementwiseLayer,
  optionalBoolean,
  type Kwargs,
  type LayerArgs,
} from './common.js';

/** The two parametrizations of {@link AdaptiveTanh}. */
export const ADAPTIVE_TANH_FORMS = ['scaled', 'jagtap'] as const;
export type AdaptiveTanhForm = (typeof ADAPTIVE_TANH_FORMS)[number];

/** Default scale factor n of the `'jagtap'` form: 10. */
export const DEFAULT_JAGTAP_SCALE = 10;

/** Arguments of the {@link AdaptiveTanh} layer: the usual tfjs layer arguments plus the ones below. */
export interface AdaptiveTanhArgs extends LayerArgs {
  /**
   * `'scaled'`: a * tanh(b * x) with learnable amplitude a and slope b, both starting at 1.
   * `'jagtap'`: tanh(n * a * x) with fixed n and learnable a starting at 1/n.
   * Default: `'scaled'`.
   */
  form?: AdaptiveTanhForm;
  /**
   * The fixed scale factor n of the `'jagtap'` form: a finite number >= 1. Default: 10. Not allowed
   * with the `'scaled'` form.
   */
  scale?: number;
  /**
   * false: one value of each learnable parameter for the whole layer (shape []); true: one per
   * unit, i.e. per entry of the last input dimension. Default: false.
   */
  perUnit?: boolean;
}

const OWN_ARGS = ['form', 'scale', 'perUnit'] as const;

/**
 * Hyperbolic tangent with learnable shape, in one of two forms, element-wise:
 *
 *     'scaled':  f(x) = a * tanh(b * x)        a, b learnable, both initialized to 1
 *     'jagtap':  f(x) = tanh(n * a * x)        a learnable, initialized to 1/n; n >= 1 fixed
 *
 * Derivatives ('scaled'): df/dx = a b (1 - tanh^2(b x)), df/da = tanh(b x),
 * df/db = a x (1 - tanh^2(b x)). ('jagtap'): df/dx = n a (1 - tanh^2(n a x)),
 * df/da = n x (1 - tanh^2(n a x)). With the initial values both forms start as tanh(x).
 *
 * The learnable parameters are trainable float32 weights `a` (and `b`), of shape [] by default or
 * [d] with `perUnit` (d = last input dimension).
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Sources. Atoum (2023) lists "Adaptive tanh" in its Table I, quoting the results of M. M. Lau
 * and K. H. Lim, "Review of Adaptive Activation Function in Deep Neural Network", IEEE-EMBS
 * IECBES 2018, pp. 686-690. The 'scaled' form is this library's reading of that entry: a tanh
 * whose amplitude and slope are both trained by gradient descent, the family of C.-T. Chen and
 * W.-D. Chang, "A feedforward neural network with function shape autotuning", Neural Networks
 * 9(4), 1996 (their bipolar sigmoid a (1 - exp(-b x)) / (1 + exp(-b x)) is a tanh(b x / 2)).
 * The exact formula Lau and Lim used could not be checked. The 'jagtap' form is from
 * A. D. Jagtap, K. Kawaguchi and G. E. Karniadakis, "Adaptive activation functions accelerate
 * convergence in deep and physics-informed neural networks", Journal of Computational Physics 404,
 * 2020, 109136: n >= 1 is a fixed scale factor and a starts at 1/n. That paper trains one a for
 * the whole network; this layer trains one per layer (or per unit with `perUnit`, the neuron-wise
 * variant of the same authors' "Locally adaptive activation functions with slope recovery", Proc.
 * R. Soc. A 476, 2020). The default n = 10 is this library's choice: the paper only requires
 * n >= 1 and compares several values.
 */
export class AdaptiveTanh extends ElementwiseLayer {
  /** @nocollapse */
  static className = 'AdaptiveTanh';

  private readonly form: AdaptiveTanhForm;
  private readonly scale: number;
  private readonly perUnit: boolean;
  private a: tf.LayerVariable | null = null;
  private b: tf.LayerVariable | null = null;

  /**
   * @throws Error when `form` is not 'scaled' or 'jagtap', when `scale` is not a finite number >= 1
   *   or is given with the 'scaled' form, when `perUnit` is not a boolean, or when `args` holds an
   *   argument name AdaptiveTanh does not know.
   */
  constructor(args: AdaptiveTanhArgs = {}) {
    super(args);
    checkArgNames('AdaptiveTanh', args, OWN_ARGS);
    this.form = args.form === undefined ? 'scaled' : checkOption('AdaptiveTanh', 'form', args.form, ADAPTIVE_TANH_FORMS);
    if (this.form === 'scaled' && args.scale !== undefined && args.scale !== null) {
      throw new Error("AdaptiveTanh: scale applies to form 'jagtap' only; form is 'scaled'.");
    }
    this.scale =
      this.form === 'scaled' || args.scale == null
        ? DEFAULT_JAGTAP_SCALE
        : checkNumber('AdaptiveTanh', 'scale', args.scale, { min: 1 });
    this.perUnit = optionalBoolean('AdaptiveTanh', 'perUnit', args.perUnit, false);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    if (this.form === 'scaled') {
      this.a = this.addParameter('a', inputShape, this.perUnit, 1);
      this.b = this.addParameter('b', inputShape, this.perUnit, 1);
    } else {
      this.a = this.addParameter('a', inputShape, this.perUnit, 1 / this.scale);
    }
    this.built = true;
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    const a = builtWeight('AdaptiveTanh', this.a).read();
    if (this.form === 'jagtap') return tf.tanh(tf.mul(x, tf.mul(a, this.scale)));
    const b = builtWeight('AdaptiveTanh', this.b).read();
    return tf.mul(tf.tanh(tf.mul(x, b)), a);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), form: this.form, perUnit: this.perUnit };
    if (this.form === 'jagtap') config.scale = this.scale;
    return config;
  }
}
tf.serialization.registerClass(AdaptiveTanh);

/**
 * Creates an {@link AdaptiveTanh} layer: a*tanh(b*x) with learnable a, b (initial 1), or with
 * `form: 'jagtap'` tanh(n*a*x) with fixed n (default 10) and learnable a (initial 1/n).
 */
export function adaptiveTanh(args?: AdaptiveTanhArgs): AdaptiveTanh {
  return new AdaptiveTanh(args);
}
