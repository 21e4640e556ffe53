import * as tf from '@tensorflow/tfjs';
import {
  hasHostKernel,
  perUnitValues,
  registerHostGradientKernel,
  registerHostKernel,
  runHostKernelFirstOutput,
  simdUnitParam,
  simdUnitSums,
  storeParamGrad,
  unitsOf,
} from '../kernels/host_kernels.js';
import { SingleParameterLayer, type Kwargs, type LayerArgs } from './common.js';

/** Default initial beta: 1, where Swish equals SiLU (tfjs' `swish` activation). */
export const DEFAULT_SWISH_INITIAL_BETA = 1;

/** Arguments of the {@link SwishBeta} layer: the usual tfjs layer arguments plus the ones below. */
export interface SwishBetaArgs extends LayerArgs {
  /** The value of beta before training: a finite number. Default: 1. */
  initialBeta?: number;
  /**
   * false: one beta for the whole layer (shape []); true: one per unit, i.e. per entry of the last
   * input dimension. Default: false.
   */
  perUnit?: boolean;
}

/**
 * Swish with a trainable beta, of Ramachandran, Zoph and Le: element-wise
 *
 *     f(x) = x * sigmoid(beta * x)
 *
 * with derivatives df/dx = s + beta x s (1 - s) and df/dbeta = x^2 s (1 - s), s = sigmoid(beta x).
 * beta = 0 gives x/2 and beta -> inf approaches ReLU; beta = 1 is SiLU. beta is a trainable float32
 * weight named `beta`, of shape [] by default or [d] with `perUnit` (d = last input dimension).
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: P. Ramachandran, B. Zoph and Q. V. Le, "Searching for Activation Functions",
 * arXiv:1710.05941 (v2, 2017; ICLR 2018 workshop), which defines Swish with beta "either a
 * constant or a trainable parameter" and trains it in its experiments. tfjs' `swish` activation
 * and Keras' `swish`/PyTorch's `SiLU` are the fixed beta = 1 case.
 */
export class SwishBeta extends SingleParameterLayer {
  /** @nocollapse */
  static className = 'SwishBeta';

  /**
   * @throws Error when `initialBeta` is not a finite number, when `perUnit` is not a boolean, or
   *   when `args` holds an argument name SwishBeta does not know.
   */
  constructor(args: SwishBetaArgs = {}) {
    super('SwishBeta', args, { weight: 'beta', initialArg: 'initialBeta', initialDefault: DEFAULT_SWISH_INITIAL_BETA });
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    const beta = this.parameter();
    if (hasHostKernel(KERNEL)) return runHostKernelFirstOutput(KERNEL, { x, beta });
    return tf.mul(x, tf.sigmoid(tf.mul(x, beta)));
  }
}
tf.serialization.registerClass(SwishBeta);

/**
 * Swish-beta on the cpu backend, and on wasm in WebAssembly SIMD kernels (simd/wat_sigmoid.ts;
 * without SIMD, tfjs ops): one loop forward, which also outputs s = sigmoid(beta x) for the backward loop:
 * dx = dy (s + beta x s (1 - s)), dbeta = sum of dy x^2 s (1 - s) (per unit or over everything).
 */
const KERNEL = 'TfjsActivationsSwishBeta';
const KERNEL_GRAD = 'TfjsActivationsSwishBetaGrad';

registerHostKernel({
  name: KERNEL,
  wasmNeedsSimd: true,
  inputs: ['x', 'beta'],
  outputShapes: ([x]) => [x, x],
  simd: (args) => {
    const { kernels, inputs: [x], outputs: [y, sig], shapes: [shape] } = args;
    const units = unitsOf(shape);
    kernels.swish_beta(x, simdUnitParam(args, KERNEL, 'beta', 1, units), y, sig, tf.util.sizeFromShape(shape), units);
  },
  compute: ({ inputs: [x, betaValues], outputs: [y, sig], shapes }) => {
    const units = unitsOf(shapes[0]);
    const beta = perUnitValues(KERNEL, 'beta', betaValues, units);
    for (let base = 0; base < x.length; base += units) {
      for (let j = 0; j < units; j++) {
        const i = base + j;
        const v = x[i];
        const s = 1 / (1 + Math.exp(-beta[j] * v));
        sig[i] = s;
        y[i] = v * s;
      }
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  wasmNeedsSimd: true,
  inputs: ['dy', 'x', 'sig', 'beta'],
  outputShapes: ([dy, , , beta]) => [dy, beta],
  simd: (args) => {
    const { kernels, inputs: [dy, x, sig], outputs: [dx, dBeta], shapes } = args;
    const units = unitsOf(shapes[1]);
    const beta = simdUnitParam(args, KERNEL_GRAD, 'beta', 3, units);
    const [partial, totals] = simdUnitSums(args, units);
    kernels.swish_beta_grad(dy, x, sig, beta, dx, partial, totals, tf.util.sizeFromShape(shapes[1]), units);
    storeParamGrad(args.float64s(totals, units), new Float32Array(args.buffer(), dBeta, tf.util.sizeFromShape(shapes[3])));
  },
  compute: ({ inputs: [dy, x, sig, betaValues], outputs: [dx, dBeta], shapes }) => {
    const units = unitsOf(shapes[1]);
    const beta = perUnitValues(KERNEL, 'beta', betaValues, units);
    // Unit by unit (column-wise), so that the sums stay in registers: about twice as fast as
    // adding into a per-unit array at every element.
    const acc = new Float64Array(units);
    for (let j = 0; j < units; j++) {
      const b = beta[j];
      let sum = 0;
      for (let i = j; i < x.length; i += units) {
        const v = x[i];
        const g = dy[i];
        const s = sig[i];
        const q = v * (s - s * s);
        dx[i] = g * (s + b * q);
        sum += g * v * q;
      }
      acc[j] = sum;
    }
    storeParamGrad(acc, dBeta);
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD, [null, 'sig']);

/**
 * Creates a {@link SwishBeta} layer (Ramachandran et al. 2017): x * sigmoid(beta*x) with beta
 * learnable (initial 1).
 */
export function swishBeta(args?: SwishBetaArgs): SwishBeta {
  return new SwishBeta(args);
}
