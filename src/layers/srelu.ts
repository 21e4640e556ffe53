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
import { floatInput, LearnedParamsLayer, type InitializerArg, type Kwargs, type LayerArgs, type LearnedParam } from './common.js';

/** Default initial left threshold t_l: 0, so that SReLU starts as a leaky ReLU (Jin et al. 2016). */
export const DEFAULT_SRELU_T_LEFT = 0;
/**
 * Default initial left slope a_l: 0.01, the leaky-ReLU slope of Maas et al. (2013) that the
 * library's `leaky-relu` uses, so that SReLU starts as exactly that function.
 */
export const DEFAULT_SRELU_A_LEFT = 0.01;
/** Default initial right threshold t_r (our choice; the paper sets it from the data, see {@link SReLU}). */
export const DEFAULT_SRELU_T_RIGHT = 1;
/** Default initial right slope a_r: 1, so that SReLU starts as a leaky ReLU (Jin et al. 2016). */
export const DEFAULT_SRELU_A_RIGHT = 1;

/** Arguments of the {@link SReLU} layer: the usual tfjs layer arguments plus the ones below. */
export interface SReLUArgs extends LayerArgs {
  /**
   * true: one set of (t_l, a_l, t_r, a_r) per unit of the last input axis (per channel), as in the
   * paper; false: one set shared by the whole layer (shape []). Default: true.
   */
  perUnit?: boolean;
  /** Initializer of the left threshold t_l. Default: constant 0. */
  tLeftInitializer?: InitializerArg;
  /** Initializer of the left slope a_l. Default: constant 0.01. */
  aLeftInitializer?: InitializerArg;
  /** Initializer of the right threshold t_r. Default: constant 1. */
  tRightInitializer?: InitializerArg;
  /** Initializer of the right slope a_r. Default: constant 1. */
  aRightInitializer?: InitializerArg;
}

const constant = (value: number) => () => tf.initializers.constant({ value });
const PARAMS: LearnedParam[] = [
  { weight: 't_left', initializerArg: 'tLeftInitializer', defaultInitializer: constant(DEFAULT_SRELU_T_LEFT) },
  { weight: 'a_left', initializerArg: 'aLeftInitializer', defaultInitializer: constant(DEFAULT_SRELU_A_LEFT) },
  { weight: 't_right', initializerArg: 'tRightInitializer', defaultInitializer: constant(DEFAULT_SRELU_T_RIGHT) },
  { weight: 'a_right', initializerArg: 'aRightInitializer', defaultInitializer: constant(DEFAULT_SRELU_A_RIGHT) },
];
const CLASS = 'SReLU';

/**
 * S-shaped Rectified Linear Unit of Jin et al.: element-wise, per unit i,
 *
 *     f(x) = t_r + a_r (x - t_r)   for x >= t_r
 *     f(x) = x                     for t_l < x < t_r
 *     f(x) = t_l + a_l (x - t_l)   for x <= t_l
 *
 * with four trainable float32 weights `t_left`, `a_left`, `t_right`, `a_right`, each of shape
 * [units] (units = size of the last input axis; the paper learns them per channel) or [] with
 * `perUnit: false`. Computed as f(x) = x + (a_l - 1) min(x - t_l, 0) + (a_r - 1) max(x - t_r, 0),
 * which is the paper's definition whenever t_l <= t_r (training does not enforce the order; if
 * t_l > t_r the paper's cases overlap and this sum is what the layer computes).
 *
 * Derivatives: df/dx = a_r above t_r, 1 between, a_l at or below t_l (at x = t_r exactly the
 * layer returns 1, the middle piece's slope); df/dt_l = 1 - a_l and df/da_l = x - t_l for x <= t_l;
 * df/dt_r = 1 - a_r and df/da_r = x - t_r for x > t_r.
 *
 * Initialization. The paper starts SReLU as a leaky ReLU (t_l = 0, a_r = 1, a_l a small slope),
 * "freezes" it for the first epochs, then sets t_r from the distribution of the unit's inputs and
 * lets all four learn. That data-dependent step is not something an initializer can do, so by
 * default the layer starts as the leaky ReLU t_l = 0, a_l = 0.01, a_r = 1 with t_r = 1 and trains
 * all four parameters from the first step (with a_r = 1, t_r receives no gradient until a_r moves).
 * Keras-contrib's SReLU differs: a_l ~ U(0, 1), t_r drawn from U(0, 5) and reparametrized as
 * t_l + |t_r| to keep the order, and parameters per input element rather than per channel; pass
 * initializers to reproduce its start.
 *
 * - Input: a tensor of rank >= 1 with a known last dimension when `perUnit` (float32; int32 or bool
 *   inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: X. Jin, C. Xu, J. Feng, Y. Wei, J. Xiong, S. Yan, "Deep Learning with S-shaped Rectified
 * Linear Activation Units", AAAI 2016 (arXiv:1512.07030).
 */
export class SReLU extends LearnedParamsLayer {
  /** @nocollapse */
  static className = CLASS;

  /**
   * @throws Error when `perUnit` is not a boolean, when an initializer argument is neither a tfjs
   *   initializer nor its serialized form, or when `args` holds an argument name SReLU does not know.
   */
  constructor(args: SReLUArgs = {}) {
    super(CLASS, args, PARAMS);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return tf.tidy(() => {
      const x = floatInput(CLASS, inputs);
      const [tLeft, aLeft, tRight, aRight] = this.readParams();
      if (hasHostKernel(KERNEL)) return runHostKernel(KERNEL, { x, tLeft, aLeft, tRight, aRight }) as tf.Tensor;
      // t_l + prelu(x - t_l, a_l) = x + (a_l - 1) min(x - t_l, 0): the left kink, on a fused op.
      const left = tf.add(tf.prelu(tf.sub(x, tLeft), aLeft), tLeft);
      return tf.add(left, tf.mul(tf.relu(tf.sub(x, tRight)), tf.sub(aRight, 1)));
    });
  }
}
tf.serialization.registerClass(SReLU);

/**
 * The layer on the cpu and wasm backends, one loop each way, with the values and gradients of the
 * composition above (kinks: [x - t_l > 0] and [x - t_r > 0], as tfjs' prelu and relu gradients):
 * y = x + (a_l - 1) min(x - t_l, 0) + (a_r - 1) max(x - t_r, 0);
 * dy/dx = (x > t_l ? 1 : a_l) + (x > t_r ? a_r - 1 : 0); dy/dt_l = x > t_l ? 0 : 1 - a_l;
 * dy/da_l = x > t_l ? 0 : x - t_l; dy/dt_r = x > t_r ? 1 - a_r : 0; dy/da_r = x > t_r ? x - t_r : 0.
 * Parameter gradients are summed per unit (or over everything for shared parameters).
 */
const KERNEL = 'TfjsActivationsSReLU';
const KERNEL_GRAD = 'TfjsActivationsSReLUGrad';
const PARAM_INPUTS = ['tLeft', 'aLeft', 'tRight', 'aRight'] as const;

function unitParams(params: Float32Array[], units: number): Float32Array[] {
  return params.map((p, k) => perUnitValues(KERNEL, PARAM_INPUTS[k], p, units));
}

registerHostKernel({
  name: KERNEL,
  inputs: ['x', ...PARAM_INPUTS],
  outputShapes: ([x]) => [x],
  // On wasm, per unit, the composition's own vectorised kernels without tfjs' per-op work
  // (Prelu with one slope per unit is an XNNPACK kernel; with a single slope it is slow, and the
  // loop below serves).
  wasm: ([x, tLeft, aLeft, tRight, aRight], backend) => {
    if (aLeft.shape.length === 0) return null;
    const aRightMinus1 = Float32Array.from(backend.typedArrayFromHeap(aRight), (v) => v - 1);
    return withWasmChain(backend, (c) => {
      const left = c.run('Add', { a: c.run('Prelu', { x: c.run('Sub', { a: x, b: tLeft }), alpha: aLeft }), b: tLeft });
      const right = c.run('Multiply', { a: c.run('Relu', { x: c.run('Sub', { a: x, b: tRight }) }), b: c.tensor(aRightMinus1, aRight.shape) });
      return c.run('Add', { a: left, b: right });
    });
  },
  compute: ({ inputs: [x, ...params], outputs: [y], shapes }) => {
    const units = unitsOf(shapes[0]);
    const [tl, al, tr, ar] = unitParams(params, units);
    for (let base = 0; base < x.length; base += units) {
      for (let j = 0; j < units; j++) {
        const i = base + j;
        const v = x[i];
        const u = v - tl[j];
        const w = v - tr[j];
        // Branch-free; infinities (Infinity * 0) take the exact form of the composition.
        const r = v + (al[j] - 1) * u * +(u <= 0) + (ar[j] - 1) * w * +(w > 0);
        y[i] = r === r || v !== v ? r : (u > 0 ? u : al[j] * u) + tl[j] + (w > 0 ? w : 0) * (ar[j] - 1);
      }
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  inputs: ['dy', 'x', ...PARAM_INPUTS],
  outputShapes: ([dy, , ...params]) => [dy, ...params],
  compute: ({ inputs: [dy, x, ...params], outputs: [dx, ...dParams], shapes }) => {
    const units = unitsOf(shapes[1]);
    const [tl, al, tr, ar] = unitParams(params, units);
    // Unit by unit (column-wise), so that the sums stay in registers: about twice as fast as
    // adding into per-unit arrays at every element.
    const sums = [0, 1, 2, 3].map(() => new Float64Array(units));
    const [gtl, gal, gtr, gar] = sums;
    for (let j = 0; j < units; j++) {
      const tL = tl[j];
      const tR = tr[j];
      const aL = al[j];
      const aR = ar[j];
      let sumLeft = 0;
      let sumU = 0;
      let sumRight = 0;
      let sumW = 0;
      for (let i = j; i < x.length; i += units) {
        const v = x[i];
        const g = dy[i];
        const u = v - tL;
        const w = v - tR;
        const left = +(u <= 0);
        const right = +(w > 0);
        dx[i] = g * (1 + (aL - 1) * left + (aR - 1) * right);
        sumLeft += g * left;
        sumU += g * u * left;
        sumRight += g * right;
        sumW += g * w * right;
      }
      gtl[j] = (1 - aL) * sumLeft;
      gal[j] = sumU;
      gtr[j] = (1 - aR) * sumRight;
      gar[j] = sumW;
    }
    sums.forEach((acc, k) => storeParamGrad(acc, dParams[k]));
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD);

/**
 * Creates an {@link SReLU} layer (Jin et al. 2016): three linear pieces joined at learnable
 * thresholds t_l <= t_r with learnable outer slopes a_l, a_r, per unit by default, starting as a
 * leaky ReLU (t_l 0, a_l 0.01, t_r 1, a_r 1).
 */
export function srelu(args?: SReLUArgs): SReLU {
  return new SReLU(args);
}
