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
import { SingleParameterLayer, type Kwargs, type LayerArgs } from './common.js';

/** Default initial threshold tau: 0, so that a fresh TLU is a ReLU. */
export const DEFAULT_TLU_INITIAL_TAU = 0;

/** Arguments of the {@link TLU} layer: the usual tfjs layer arguments plus the ones below. */
export interface TLUArgs extends LayerArgs {
  /** The threshold tau before training: a finite number. Default: 0. */
  initialTau?: number;
  /**
   * false: one tau for the whole layer (shape []); true: one per unit, i.e. per entry of the last
   * input dimension (per channel of a channels-last convolution, as in the paper). Default: false.
   */
  perUnit?: boolean;
}

/**
 * Thresholded linear unit (TLU) of Singh and Krishnan: element-wise
 *
 *     f(x) = max(x, tau)
 *
 * with a learnable threshold tau. Derivatives: df/dx = 1 for x > tau and 0 for x <= tau;
 * df/dtau = 1 for x <= tau and 0 for x > tau (at x = tau the gradient goes to tau, as ReLU's goes
 * to 0). With tau = 0 it is a ReLU. tau is a trainable float32 weight named `tau`, of shape []
 * by default or [d] with `perUnit` (d = last input dimension).
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: S. Singh and S. Krishnan, "Filter Response Normalization Layer: Eliminating Batch
 * Dependence in the Training of Deep Neural Networks", CVPR 2020 (arXiv:1911.09737). The paper
 * learns one tau per channel, after its FRN normalization; the registry's `tlu` entry uses
 * `perUnit: true` accordingly. Not to be confused with tfjs' `ThresholdedReLU` (x for x > theta,
 * else 0, theta fixed).
 */
export class TLU extends SingleParameterLayer {
  /** @nocollapse */
  static className = 'TLU';

  /**
   * @throws Error when `initialTau` is not a finite number, when `perUnit` is not a boolean, or
   *   when `args` holds an argument name TLU does not know.
   */
  constructor(args: TLUArgs = {}) {
    super('TLU', args, { weight: 'tau', initialArg: 'initialTau', initialDefault: DEFAULT_TLU_INITIAL_TAU });
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    // tau + relu(x - tau) = max(x, tau). Not tf.maximum: its gradient does not sum over broadcast
    // axes, so tfjs rejects the gradient of a tau of shape [] or [d] (tfjs 4.22). This form is also
    // faster than tf.maximum with a hand-written gradient (measured on cpu and wasm).
    const tau = this.parameter();
    if (hasHostKernel(KERNEL)) return runHostKernel(KERNEL, { x, tau }) as tf.Tensor;
    return tf.add(tf.relu(tf.sub(x, tau)), tau);
  }
}
tf.serialization.registerClass(TLU);

/**
 * The layer on the cpu and wasm backends, one loop each way: y = tau + relu(x - tau) = max(x, tau);
 * dy/dx = [x - tau > 0], dy/dtau = 1 - [x - tau > 0] (the composition's gradients: relu's step
 * is 0 at 0), tau's gradient summed per unit or over everything.
 */
const KERNEL = 'TfjsActivationsTLU';
const KERNEL_GRAD = 'TfjsActivationsTLUGrad';

registerHostKernel({
  name: KERNEL,
  inputs: ['x', 'tau'],
  outputShapes: ([x]) => [x],
  // On wasm the composition's own vectorised kernels, without tfjs' per-op work.
  wasm: ([x, tau], backend) =>
    withWasmChain(backend, (c) => c.run('Add', { a: c.run('Relu', { x: c.run('Sub', { a: x, b: tau }) }), b: tau })),
  compute: ({ inputs: [x, tauValues], outputs: [y], shapes }) => {
    const units = unitsOf(shapes[0]);
    const tau = perUnitValues(KERNEL, 'tau', tauValues, units);
    for (let base = 0; base < x.length; base += units) {
      for (let j = 0; j < units; j++) {
        const i = base + j;
        const t = tau[j];
        const u = x[i] - t;
        // Branch-free (signs are random: a branch would be mispredicted half the time); the rare
        // NaN from -Infinity * 0 takes the exact form (that branch is predictable).
        const r = t + u * +(u > 0);
        y[i] = r === r ? r : t + Math.max(u, 0);
      }
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  inputs: ['dy', 'x', 'tau'],
  outputShapes: ([dy, , tau]) => [dy, tau],
  compute: ({ inputs: [dy, x, tauValues], outputs: [dx, dTau], shapes }) => {
    const units = unitsOf(shapes[1]);
    const tau = perUnitValues(KERNEL, 'tau', tauValues, units);
    // Unit by unit (column-wise), so that the sums stay in registers: about twice as fast as
    // adding into a per-unit array at every element.
    const acc = new Float64Array(units);
    for (let j = 0; j < units; j++) {
      const t = tau[j];
      let sum = 0;
      for (let i = j; i < x.length; i += units) {
        const g = dy[i];
        const m = +(x[i] - t > 0);
        dx[i] = g * m;
        sum += g - g * m;
      }
      acc[j] = sum;
    }
    storeParamGrad(acc, dTau);
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD);

/** Creates a {@link TLU} layer (Singh & Krishnan 2020): max(x, tau), tau learnable (initial 0). */
export function tlu(args?: TLUArgs): TLU {
  return new TLU(args);
}
