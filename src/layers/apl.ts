import * as tf from '@tensorflow/tfjs';
import {
  hasHostKernel,
  withWasmChain,
  perUnitValues,
  registerHostGradientKernel,
  registerHostKernel,
  runHostKernel,
  storeParamGrad,
  unitsOf,
} from '../kernels/host_kernels.js';
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
      if (hasHostKernel(KERNEL)) return runHostKernel(KERNEL, { x, a, b }) as tf.Tensor;
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
 * The layer on the cpu and wasm backends, one loop each way, with the composition's values and
 * gradients (relu's step is 0 at 0): y = max(0, x) + sum_s a_s max(0, b_s - x);
 * dy/dx = [x > 0] - sum_s a_s [b_s - x > 0]; dy/da_s = max(0, b_s - x); dy/db_s = a_s [b_s - x > 0],
 * summed per unit (a, b of shape [S, units]) or over everything (shape [S]).
 */
const KERNEL = 'TfjsActivationsAPL';
const KERNEL_GRAD = 'TfjsActivationsAPLGrad';

/** a or b as S arrays of one value per unit. */
function hingeParams(name: string, values: Float32Array, shape: number[], units: number): Float32Array[] {
  const hinges = shape[0];
  const per = values.length / hinges;
  return Array.from({ length: hinges }, (_, s) => perUnitValues(KERNEL, name, values.subarray(s * per, (s + 1) * per), units));
}

const relu = (v: number) => (v > 0 || v !== v ? v : 0);

registerHostKernel({
  name: KERNEL,
  inputs: ['x', 'a', 'b'],
  outputShapes: ([x]) => [x],
  // On wasm the composition's vectorised kernels, hinge by hinge, without tfjs' per-op work.
  wasm: ([x, a, b], backend) =>
    withWasmChain(backend, (c) => {
      const hinges = a.shape[0];
      const rowShape = a.shape.slice(1);
      const per = rowShape.length === 0 ? 1 : rowShape[0];
      const aValues = Float32Array.from(backend.typedArrayFromHeap(a));
      const bValues = Float32Array.from(backend.typedArrayFromHeap(b));
      let y = c.run('Relu', { x });
      for (let s = 0; s < hinges; s++) {
        const bs = c.tensor(bValues.subarray(s * per, (s + 1) * per), rowShape);
        const as = c.tensor(aValues.subarray(s * per, (s + 1) * per), rowShape);
        y = c.run('Add', { a: y, b: c.run('Multiply', { a: c.run('Relu', { x: c.run('Sub', { a: bs, b: x }) }), b: as }) });
      }
      return y;
    }),
  compute: ({ inputs: [x, aValues, bValues], outputs: [y], shapes }) => {
    const units = unitsOf(shapes[0]);
    const a = hingeParams('a', aValues, shapes[1], units);
    const b = hingeParams('b', bValues, shapes[2], units);
    const hinges = a.length;
    for (let base = 0; base < x.length; base += units) {
      for (let j = 0; j < units; j++) {
        const i = base + j;
        const v = x[i];
        // Branch-free; infinities (Infinity * 0) take the exact form.
        let r = v * +(v > 0);
        for (let s = 0; s < hinges; s++) {
          const h = b[s][j] - v;
          r += a[s][j] * h * +(h > 0);
        }
        if (r !== r && v === v) {
          r = relu(v);
          for (let s = 0; s < hinges; s++) r += a[s][j] * relu(b[s][j] - v);
        }
        y[i] = r;
      }
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  inputs: ['dy', 'x', 'a', 'b'],
  outputShapes: ([dy, , a, b]) => [dy, a, b],
  compute: ({ inputs: [dy, x, aValues, bValues], outputs: [dx, da, db], shapes }) => {
    const units = unitsOf(shapes[1]);
    const a = hingeParams('a', aValues, shapes[2], units);
    const b = hingeParams('b', bValues, shapes[3], units);
    const hinges = a.length;
    const accA = a.map(() => new Float64Array(units));
    const accB = a.map(() => new Float64Array(units));
    if (hinges === 2) {
      // The default, unit by unit (column-wise) so that the sums stay in registers: about twice
      // as fast as adding into per-unit arrays at every element.
      const [a0, a1] = a;
      const [b0, b1] = b;
      for (let j = 0; j < units; j++) {
        const as0 = a0[j];
        const as1 = a1[j];
        const bs0 = b0[j];
        const bs1 = b1[j];
        let sa0 = 0;
        let sa1 = 0;
        let sb0 = 0;
        let sb1 = 0;
        for (let i = j; i < x.length; i += units) {
          const v = x[i];
          const g = dy[i];
          const h0 = bs0 - v;
          const h1 = bs1 - v;
          const m0 = +(h0 > 0);
          const m1 = +(h1 > 0);
          dx[i] = g * (+(v > 0) - as0 * m0 - as1 * m1);
          sa0 += g * h0 * m0;
          sa1 += g * h1 * m1;
          sb0 += g * m0;
          sb1 += g * m1;
        }
        accA[0][j] = sa0;
        accA[1][j] = sa1;
        accB[0][j] = as0 * sb0;
        accB[1][j] = as1 * sb1;
      }
    } else {
      for (let base = 0; base < x.length; base += units) {
        for (let j = 0; j < units; j++) {
          const i = base + j;
          const v = x[i];
          const g = dy[i];
          let d = +(v > 0);
          for (let s = 0; s < hinges; s++) {
            const h = b[s][j] - v;
            const m = +(h > 0);
            const as = a[s][j];
            d -= as * m;
            accA[s][j] += g * h * m;
            accB[s][j] += g * as * m;
          }
          dx[i] = g * d;
        }
      }
    }
    const per = da.length / hinges;
    for (let s = 0; s < hinges; s++) {
      storeParamGrad(accA[s], da.subarray(s * per, (s + 1) * per));
      storeParamGrad(accB[s], db.subarray(s * per, (s + 1) * per));
    }
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD);

/**
 * Creates an {@link APL} layer (Agostinelli et al. 2015): max(0, x) + sum_s a_s max(0, b_s - x)
 * with S = 2 learnable hinges per unit by default.
 */
export function apl(args?: APLArgs): APL {
  return new APL(args);
}
