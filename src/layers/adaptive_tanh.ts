import * as tf from '@tensorflow/tfjs';
import {
  hasHostKernel,
  perUnitValues,
  registerHostGradientKernel,
  registerHostKernel,
  runHostKernelFirstOutput,
  storeParamGrad,
  unitsOf,
} from '../kernels/host_kernels.js';
import {
  builtWeight,
  checkArgNames,
  checkNumber,
  checkOption,
  ElementwiseLayer,
  optionalBoolean,
  sumToParamShape,
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
 *
 * Computed in one JavaScript loop each way on the cpu backend (Math.tanh); elsewhere as
 * 2 sigmoid(2z) - 1 with a hand-written gradient (tfjs' wasm Tanh kernel is about 15x slower
 * than its Sigmoid), whose absolute error is about 6e-8.
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
    if (this.form === 'jagtap') {
      if (hasHostKernel(JAGTAP_KERNEL)) return runHostKernelFirstOutput(JAGTAP_KERNEL, { x, a }, { scale: this.scale });
      return tanhOfProduct(x, tf.mul(a, this.scale));
    }
    const b = builtWeight('AdaptiveTanh', this.b).read();
    if (hasHostKernel(SCALED_KERNEL)) return runHostKernelFirstOutput(SCALED_KERNEL, { x, a, b });
    return scaledTanh(x, a, b);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), form: this.form, perUnit: this.perUnit };
    if (this.form === 'jagtap') config.scale = this.scale;
    return config;
  }
}
tf.serialization.registerClass(AdaptiveTanh);

/**
 * tanh(z) = 2 sigmoid(2z) - 1: on wasm tfjs' Tanh kernel is a scalar loop (about 1.3 ms per
 * [128, 512] tensor) while Sigmoid is vectorised (about 0.08 ms). Absolute error about 6e-8
 * (float32 rounding of the sigmoid near 1/2); relative error larger where |tanh| < 1e-6.
 */
function tanhBySigmoid(x: tf.Tensor, twiceSlope: tf.Tensor): tf.Tensor {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, twiceSlope)), 2), 1);
}

/**
 * a tanh(b x) with a hand-written gradient from the saved t = tanh(b x), g = dy (1 - t^2):
 * dx = g a b, da = sum dy t, db = a sum g x (sums over the axes a, b were broadcast along).
 */
const scaledTanh = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, a, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const t = tanhBySigmoid(x, tf.mul(b, 2));
  save([x, t, a, b]);
  return {
    value: tf.mul(t, a),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ts, as, bs] = saved;
      const g = tf.mul(dy, tf.sub(1, tf.square(ts)));
      return [
        tf.mul(g, tf.mul(as, bs)),
        sumToParamShape(tf.mul(dy, ts), as.shape),
        tf.mul(sumToParamShape(tf.mul(g, xs), bs.shape), as),
      ];
    },
  };
}) as (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** tanh(c x) with a hand-written gradient from the saved t: dx = dy (1 - t^2) c, dc = sum dy (1 - t^2) x. */
const tanhOfProduct = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, c, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const t = tanhBySigmoid(x, tf.mul(c, 2));
  save([x, t, c]);
  return {
    value: t,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ts, cs] = saved;
      const g = tf.mul(dy, tf.sub(1, tf.square(ts)));
      return [tf.mul(g, cs), sumToParamShape(tf.mul(g, xs), cs.shape)];
    },
  };
}) as (x: tf.Tensor, c: tf.Tensor) => tf.Tensor;

/**
 * Both forms on the cpu backend, one loop each way (Math.tanh; the forward loop also outputs
 * t = tanh(B x) for the backward one). With amplitude A and slope B (scaled: a and b; jagtap: 1
 * and n a) and g = dy (1 - t^2): dx = g A B, dA = sum dy t, dB = A sum g x (jagtap: da = n dB).
 */
const SCALED_KERNEL = 'TfjsActivationsAdaptiveTanh';
const SCALED_GRAD = 'TfjsActivationsAdaptiveTanhGrad';
const JAGTAP_KERNEL = 'TfjsActivationsJagtapTanh';
const JAGTAP_GRAD = 'TfjsActivationsJagtapTanhGrad';

function tanhForward(x: Float32Array, y: Float32Array, t: Float32Array, amp: Float32Array | null, slope: Float32Array, scale: number, units: number): void {
  for (let base = 0; base < x.length; base += units) {
    for (let j = 0; j < units; j++) {
      const i = base + j;
      const ti = Math.tanh(scale * slope[j] * x[i]);
      t[i] = ti;
      y[i] = amp === null ? ti : amp[j] * ti;
    }
  }
}

/** Per-unit sums of dy t and of dy (1 - t^2) x into `sumT`, `sumX`; writes dx. */
function tanhBackward(
  dy: Float32Array, x: Float32Array, t: Float32Array, amp: Float32Array | null, slope: Float32Array, scale: number,
  units: number, dx: Float32Array, sumT: Float64Array, sumX: Float64Array,
): void {
  // Unit by unit (column-wise), so that the sums stay in registers.
  for (let j = 0; j < units; j++) {
    const factor = (amp === null ? 1 : amp[j]) * scale * slope[j];
    let st = 0;
    let sx = 0;
    for (let i = j; i < x.length; i += units) {
      const ti = t[i];
      const d = dy[i];
      const g = d * (1 - ti * ti);
      dx[i] = g * factor;
      st += d * ti;
      sx += g * x[i];
    }
    sumT[j] = st;
    sumX[j] = sx;
  }
}

registerHostKernel({
  name: SCALED_KERNEL,
  backends: ['cpu'],
  inputs: ['x', 'a', 'b'],
  outputShapes: ([x]) => [x, x],
  compute: ({ inputs: [x, a, b], outputs: [y, t], shapes }) => {
    const units = unitsOf(shapes[0]);
    tanhForward(x, y, t, perUnitValues(SCALED_KERNEL, 'a', a, units), perUnitValues(SCALED_KERNEL, 'b', b, units), 1, units);
  },
});

registerHostKernel({
  name: SCALED_GRAD,
  backends: ['cpu'],
  inputs: ['dy', 'x', 't', 'a', 'b'],
  outputShapes: ([dy, , , a, b]) => [dy, a, b],
  compute: ({ inputs: [dy, x, t, aValues, bValues], outputs: [dx, da, db], shapes }) => {
    const units = unitsOf(shapes[1]);
    const a = perUnitValues(SCALED_KERNEL, 'a', aValues, units);
    const sumT = new Float64Array(units);
    const sumX = new Float64Array(units);
    tanhBackward(dy, x, t, a, perUnitValues(SCALED_KERNEL, 'b', bValues, units), 1, units, dx, sumT, sumX);
    for (let j = 0; j < units; j++) sumX[j] *= a[j];
    storeParamGrad(sumT, da);
    storeParamGrad(sumX, db);
  },
});

registerHostKernel({
  name: JAGTAP_KERNEL,
  backends: ['cpu'],
  inputs: ['x', 'a'],
  outputShapes: ([x]) => [x, x],
  compute: ({ inputs: [x, a], outputs: [y, t], shapes, attrs }) => {
    const units = unitsOf(shapes[0]);
    tanhForward(x, y, t, null, perUnitValues(JAGTAP_KERNEL, 'a', a, units), attrs.scale as number, units);
  },
});

registerHostKernel({
  name: JAGTAP_GRAD,
  backends: ['cpu'],
  inputs: ['dy', 'x', 't', 'a'],
  outputShapes: ([dy, , , a]) => [dy, a],
  compute: ({ inputs: [dy, x, t, aValues], outputs: [dx, da], shapes, attrs }) => {
    const units = unitsOf(shapes[1]);
    const scale = attrs.scale as number;
    const sumT = new Float64Array(units);
    const sumX = new Float64Array(units);
    tanhBackward(dy, x, t, null, perUnitValues(JAGTAP_KERNEL, 'a', aValues, units), scale, units, dx, sumT, sumX);
    for (let j = 0; j < units; j++) sumX[j] *= scale;
    storeParamGrad(sumX, da);
  },
});

registerHostGradientKernel(SCALED_KERNEL, SCALED_GRAD, [null, 't']);

registerHostGradientKernel(JAGTAP_KERNEL, JAGTAP_GRAD, [null, 't']);

/**
 * Creates an {@link AdaptiveTanh} layer: a*tanh(b*x) with learnable a, b (initial 1), or with
 * `form: 'jagtap'` tanh(n*a*x) with fixed n (default 10) and learnable a (initial 1/n).
 */
export function adaptiveTanh(args?: AdaptiveTanhArgs): AdaptiveTanh {
  return new AdaptiveTanh(args);
}
