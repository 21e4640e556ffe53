import * as tf from '@tensorflow/tfjs';
import {
  hasHostKernel,
  perUnitValues,
  registerHostGradientKernel,
  registerHostKernel,
  runHostKernel,
  runHostKernelFirstOutput,
  simdUnitParam,
  simdUnitSums,
  storeParamGrad,
  unitsOf,
} from '../kernels/host_kernels.js';
import { floatInput, LearnedParamsLayer, type InitializerArg, type Kwargs, type LayerArgs, type LearnedParam } from './common.js';

/** Arguments of the {@link AconC} layer: the usual tfjs layer arguments plus the ones below. */
export interface AconCArgs extends LayerArgs {
  /**
   * true: p1, p2 and beta per unit of the last input axis (per channel, as in the paper and the
   * authors' code), weights of shape [units]; false: one of each for the whole layer (shape []).
   * Default: true.
   */
  perUnit?: boolean;
  /** Initializer of p1. Default: standard normal N(0, 1) (the authors' code, `torch.randn`). */
  p1Initializer?: InitializerArg;
  /** Initializer of p2. Default: standard normal N(0, 1) (the authors' code, `torch.randn`). */
  p2Initializer?: InitializerArg;
  /** Initializer of the switching factor beta. Default: constant 1 (the authors' code, `torch.ones`). */
  betaInitializer?: InitializerArg;
}

const standardNormal = () => tf.initializers.randomNormal({ mean: 0, stddev: 1 });
const PARAMS: LearnedParam[] = [
  { weight: 'p1', initializerArg: 'p1Initializer', defaultInitializer: standardNormal },
  { weight: 'p2', initializerArg: 'p2Initializer', defaultInitializer: standardNormal },
  { weight: 'beta', initializerArg: 'betaInitializer', defaultInitializer: () => tf.initializers.ones() },
];
const CLASS = 'AconC';

/**
 * ACON-C ("activate or not", variant C) of Ma et al.: element-wise, per unit,
 *
 *     f(x) = (p1 - p2) x * sigmoid(beta (p1 - p2) x) + p2 x
 *
 * a smooth maximum of the two lines p1 x and p2 x whose sharpness is the learnable switching
 * factor beta (beta -> infinity: max(p1 x, p2 x); beta = 0: the mean (p1 + p2) x / 2). With p1 = 1,
 * p2 = 0 it is Swish with a learnable beta. Trainable float32 weights `p1`, `p2`, `beta` of shape
 * [units] (per channel of the last axis) or [] with `perUnit: false`.
 *
 * Derivatives, with d = p1 - p2, u = beta d x and s = sigmoid(u):
 * df/dx = d (s + u s (1 - s)) + p2; df/dbeta = d² x² s (1 - s);
 * df/dp1 = x (s + u s (1 - s)); df/dp2 = x - df/dp1. The function is smooth: no kinks.
 *
 * Initialization as in the authors' code: p1, p2 ~ N(0, 1) and beta = 1, per channel.
 * Meta-ACON (beta computed from the input by a small network) is not this layer.
 *
 * - Input: a tensor of rank >= 1 with a known last dimension when `perUnit` (float32; int32 or bool
 *   inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: N. Ma, X. Zhang, M. Liu, J. Sun, "Activate or Not: Learning Customized Activation",
 * CVPR 2021 (arXiv:2009.04759); code: github.com/nmaac/acon.
 */
export class AconC extends LearnedParamsLayer {
  /** @nocollapse */
  static className = CLASS;

  /**
   * @throws Error when `perUnit` is not a boolean, an initializer argument is neither a tfjs
   *   initializer nor its serialized form, or `args` holds an argument name AconC does not know.
   */
  constructor(args: AconCArgs = {}) {
    super(CLASS, args, PARAMS);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return tf.tidy(() => {
      const x = floatInput(CLASS, inputs);
      const [p1, p2, beta] = this.readParams();
      if (hasHostKernel(KERNEL)) return runHostKernelFirstOutput(KERNEL, { x, p1, p2, beta });
      if (hasHostKernel(KERNEL_GRAD)) return aconCVectorised(x, p1, p2, beta);
      // x * (d * sigmoid(beta d x) + p2), d = p1 - p2: the per-unit products stay small, and the
      // input-sized work is 2 muls, 1 sigmoid, 1 mul and 1 add.
      const d = tf.sub(p1, p2);
      const gate = tf.sigmoid(tf.mul(x, tf.mul(beta, d)));
      return tf.mul(x, tf.add(tf.mul(gate, d), p2));
    });
  }
}
tf.serialization.registerClass(AconC);

/**
 * On wasm without WebAssembly SIMD: the forward pass with tfjs ops (its Sigmoid is vectorised),
 * the backward pass in the one loop of KERNEL_GRAD from the saved s = sigmoid(beta d x), instead
 * of the three per-unit reductions and dozen products of the derived gradient.
 */
const aconCVectorised = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, p1, p2, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const d = tf.sub(p1, p2);
  const sig = tf.sigmoid(tf.mul(x, tf.mul(beta, d)));
  save([x, sig, p1, p2, beta]);
  return {
    value: tf.mul(x, tf.add(tf.mul(sig, d), p2)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, sigs, p1s, p2s, betas] = saved;
      return runHostKernel(KERNEL_GRAD, { dy, x: xs, sig: sigs, p1: p1s, p2: p2s, beta: betas }) as tf.Tensor[];
    },
  };
}) as (x: tf.Tensor, p1: tf.Tensor, p2: tf.Tensor, beta: tf.Tensor) => tf.Tensor;

/**
 * ACON-C on the cpu backend, and on wasm in WebAssembly SIMD kernels (simd/wat_sigmoid.ts;
 * without SIMD, the forward pass above): one loop forward, which also outputs
 * s = sigmoid(beta d x) (d = p1 - p2) for the backward loop. With
 * q = x s (1 - s) and A = x s + beta d x q: dx = dy (d s + beta d^2 q + p2), dp1 = sum dy A,
 * dp2 = sum dy (x - A), dbeta = sum dy d^2 x q, summed per unit or over everything.
 */
const KERNEL = 'TfjsActivationsAconC';
const KERNEL_GRAD = 'TfjsActivationsAconCGrad';
const PARAM_INPUTS = ['p1', 'p2', 'beta'] as const;

function unitParams(params: Float32Array[], units: number): Float32Array[] {
  return params.map((p, k) => perUnitValues(KERNEL, PARAM_INPUTS[k], p, units));
}

registerHostKernel({
  name: KERNEL,
  wasmNeedsSimd: true,
  inputs: ['x', ...PARAM_INPUTS],
  outputShapes: ([x]) => [x, x],
  simd: (args) => {
    const { kernels, inputs: [x], outputs: [y, sig], shapes: [shape] } = args;
    const units = unitsOf(shape);
    const [p1, p2, beta] = PARAM_INPUTS.map((name, k) => simdUnitParam(args, KERNEL, name, k + 1, units));
    kernels.acon_c(x, p1, p2, beta, y, sig, tf.util.sizeFromShape(shape), units);
  },
  compute: ({ inputs: [x, ...params], outputs: [y, sig], shapes }) => {
    const units = unitsOf(shapes[0]);
    const [p1, p2, beta] = unitParams(params, units);
    for (let base = 0; base < x.length; base += units) {
      for (let j = 0; j < units; j++) {
        const i = base + j;
        const v = x[i];
        const d = p1[j] - p2[j];
        const s = 1 / (1 + Math.exp(-beta[j] * d * v));
        sig[i] = s;
        y[i] = v * (d * s + p2[j]);
      }
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  inputs: ['dy', 'x', 'sig', ...PARAM_INPUTS],
  outputShapes: ([dy, , , ...params]) => [dy, ...params],
  simd: (args) => {
    const { kernels, inputs: [dy, x, sig], outputs: [dx, ...dParams], shapes } = args;
    const units = unitsOf(shapes[1]);
    const [p1, p2, beta] = PARAM_INPUTS.map((name, k) => simdUnitParam(args, KERNEL_GRAD, name, k + 3, units));
    const [sumA, sumD, sumQ] = [0, 1, 2].map(() => simdUnitSums(args, units));
    kernels.acon_c_grad(dy, x, sig, p1, p2, beta, dx, ...sumA, ...sumD, ...sumQ, tf.util.sizeFromShape(shapes[1]), units);
    const [g1, g2, q] = [sumA, sumD, sumQ].map(([, totals]) => args.float64s(totals, units));
    const heap = args.buffer();
    const [v1, v2] = [p1, p2].map((at) => new Float32Array(heap, at, units));
    const gb = g1.map((_, j) => (v1[j] - v2[j]) ** 2 * q[j]);
    [g1, g2, gb].forEach((acc, k) => storeParamGrad(acc, new Float32Array(heap, dParams[k], tf.util.sizeFromShape(shapes[k + 3]))));
  },
  compute: ({ inputs: [dy, x, sig, ...params], outputs: [dx, ...dParams], shapes }) => {
    const units = unitsOf(shapes[1]);
    const [p1, p2, beta] = unitParams(params, units);
    // Unit by unit (column-wise), so that the sums stay in registers: about twice as fast as
    // adding into per-unit arrays at every element.
    const sums = [0, 1, 2].map(() => new Float64Array(units));
    const [g1, g2, gb] = sums;
    for (let j = 0; j < units; j++) {
      const d = p1[j] - p2[j];
      const b = beta[j];
      const p = p2[j];
      let sumA = 0;
      let sumX = 0;
      let sumQ = 0;
      for (let i = j; i < x.length; i += units) {
        const v = x[i];
        const g = dy[i];
        const s = sig[i];
        const q = v * (s - s * s);
        const bdq = b * d * q;
        dx[i] = g * (d * s + d * bdq + p);
        sumA += g * (v * s + v * bdq);
        sumX += g * v;
        sumQ += g * v * q;
      }
      g1[j] = sumA;
      g2[j] = sumX - sumA;
      gb[j] = d * d * sumQ;
    }
    sums.forEach((acc, k) => storeParamGrad(acc, dParams[k]));
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD, [null, 'sig']);

/**
 * Creates an {@link AconC} layer (Ma et al. 2021): (p1 - p2) x sigmoid(beta (p1 - p2) x) + p2 x with
 * p1, p2 ~ N(0, 1) and beta = 1 learnable per unit.
 */
export function aconC(args?: AconCArgs): AconC {
  return new AconC(args);
}
