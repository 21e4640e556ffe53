import * as tf from '@tensorflow/tfjs';
import {
  checkNumber,
  floatInput,
  LearnedParamsLayer,
  type InitializerArg,
  type Kwargs,
  type LayerArgs,
  type LearnedParam,
  type RegularizerArg,
} from './common.js';

/**
 * Default number of hinges S: 2, the value of the paper's fully connected network (the Higgs
 * boson experiment, 8 hidden layers; its CIFAR-10 CNN used S = 5 and its Network-in-Network S = 1).
 */
export const DEFAULT_APL_HINGES = 2;
/** Largest accepted number of hinges. */
export const MAX_APL_HINGES = 64;
/** Standard deviation of the default hinge-location initializer N(0, 0.5²) (the authors' code). */
export const DEFAULT_APL_B_STDDEV = 0.5;

/** Arguments of the {@link APL} layer: the usual tfjs layer arguments plus the ones below. */
export interface APLArgs extends LayerArgs {
  /** Number of hinges S, an integer in [1, 64]. Default: 2. */
  hinges?: number;
  /**
   * true: separate a_s, b_s for every unit of the last input axis (weights of shape [S, units]),
   * as in the paper ("learned independently for each neuron"); false: shared by the layer ([S]).
   * Default: true.
   */
  perUnit?: boolean;
  /** Initializer of the slopes a_s. Default: uniform in [-0.5/S, 0.5/S] (the authors' Caffe layer). */
  aInitializer?: InitializerArg;
  /** Initializer of the hinge locations b_s. Default: normal, mean 0, standard deviation 0.5 (the authors' code). */
  bInitializer?: InitializerArg;
  /** Regularizer of the slopes, e.g. `tf.regularizers.l2({l2: 0.001})` (the paper's L2 penalty). Default: none. */
  aRegularizer?: RegularizerArg | null;
  /** Regularizer of the hinge locations, e.g. `tf.regularizers.l2({l2: 0.001})`. Default: none. */
  bRegularizer?: RegularizerArg | null;
}

const CLASS = 'APL';

function checkHinges(value: unknown): number {
  return value === undefined ? DEFAULT_APL_HINGES : checkNumber(CLASS, 'hinges', value, { min: 1, max: MAX_APL_HINGES, integer: true });
}

const PARAMS: LearnedParam[] = [
  {
    weight: 'a',
    initializerArg: 'aInitializer',
    regularizerArg: 'aRegularizer',
    defaultInitializer: (args) => {
      const bound = 0.5 / checkHinges(args.hinges);
      return tf.initializers.randomUniform({ minval: -bound, maxval: bound });
    },
  },
  {
    weight: 'b',
    initializerArg: 'bInitializer',
    regularizerArg: 'bRegularizer',
    defaultInitializer: () => tf.initializers.randomNormal({ mean: 0, stddev: DEFAULT_APL_B_STDDEV }),
  },
];

/**
 * Adaptive Piecewise Linear unit of Agostinelli et al.: element-wise, for unit i,
 *
 *     h_i(x) = max(0, x) + sum_{s=1..S} a_s^i max(0, -x + b_s^i)
 *
 * a ReLU plus S hinge functions whose slopes a_s and hinge locations b_s are learned by gradient
 * descent, independently for each unit of the last input axis (trainable float32 weights `a` and
 * `b` of shape [S, units]) or shared by the layer (shape [S]) with `perUnit: false`. For large x
 * the function is x; the hinges shape it on the left.
 *
 * Derivatives: dh/dx = [x > 0] - sum_s a_s [b_s - x > 0]; dh/da_s = max(0, b_s - x);
 * dh/db_s = a_s [b_s - x > 0]. At a kink (x = 0 or x = b_s) the derivative of the max is taken
 * as 0, as in the authors' Caffe layer.
 *
 * Initialization as in the authors' code (Caffe `APLLayer` defaults): a ~ U(-0.5/S, 0.5/S),
 * b ~ N(0, 0.5²). Their experiment files used a ~ U(-0.2, 0.2) with S = 5 (CIFAR-10 CNN) and
 * U(-0.5, 0.5) with S = 2 (Higgs network); pass `aInitializer` to use those. The paper also adds an
 * L2 penalty on a and b (0.001 in the authors' settings); pass `aRegularizer`/`bRegularizer` for it.
 *
 * - Input: a tensor of rank >= 1 with a known last dimension when `perUnit` (float32; int32 or bool
 *   inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: F. Agostinelli, M. Hoffman, P. Sadowski, P. Baldi, "Learning Activation Functions to
 * Improve Deep Neural Networks", ICLR 2015 workshop track (arXiv:1412.6830); code:
 * github.com/forestagostinelli/Learned-Activation-Functions-Source.
 */
export class APL extends LearnedParamsLayer {
  /** @nocollapse */
  static className = CLASS;

  private readonly hinges: number;

  /**
   * @throws Error when `hinges` is not an integer in [1, 64], `perUnit` is not a boolean, an
   *   initializer or regularizer argument is not a tfjs object of that kind (or its serialized
   *   form), or `args` holds an argument name APL does not know.
   */
  constructor(args: APLArgs = {}) {
    super(CLASS, args, PARAMS, ['hinges']);
    this.hinges = checkHinges(args.hinges);
  }

  protected override paramPrefixShape(): number[] {
    return [this.hinges];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return tf.tidy(() => {
      const x = floatInput(CLASS, inputs);
      let [a, b] = this.readParams();
      // The hinge axis goes next to the unit axis (per unit: [..., S, units] against a, b of
      // [S, units]) or last (shared: [..., units, S] against [S]); one broadcast op per step
      // whatever S is. tfjs-wasm 4.22 throws "divide by zero" when it sums an empty tensor over
      // a non-last axis, so an empty batch takes the hinge-last layout with a, b transposed to
      // [units, S] (the same values; slower on wasm for real batches, hence not the default).
      let hingeAxis = this.perUnit ? -2 : -1;
      if (this.perUnit && x.size === 0) {
        [a, b] = [tf.transpose(a), tf.transpose(b)];
        hingeAxis = -1;
      }
      const hinge = tf.relu(tf.sub(b, tf.expandDims(x, hingeAxis)));
      return tf.add(tf.relu(x), tf.sum(tf.mul(hinge, a), hingeAxis));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), hinges: this.hinges };
  }
}
tf.serialization.registerClass(APL);

/**
 * Creates an {@link APL} layer (Agostinelli et al. 2015): max(0, x) + sum_s a_s max(0, b_s - x)
 * with S = 2 learnable hinges per unit by default.
 */
export function apl(args?: APLArgs): APL {
  return new APL(args);
}
