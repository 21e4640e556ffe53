/**
 * offset + sum_k sigmoid(x - shifts[k]), element-wise: the multistate activation functions of
 * Cai et al. (MSAF: offset a, shifts b; symmetrical MSAF: offset -1, shifts [0, -a]).
 *
 * - cpu backend: one JavaScript loop forward, which also stores the derivative
 *   sum_k s_k (1 - s_k) for the backward pass (one product); about 4x faster than tfjs' ops there.
 * - wasm backend: the same in WebAssembly SIMD kernels (simd/wat_sigmoid.ts; two shifts up to 80
 *   apart in one pass with one exp); without WebAssembly SIMD, the tfjs ops below.
 * - Other backends: tfjs ops, gradient derived by tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostGradientKernel, registerHostKernel, runHostKernelFirstOutput } from './host_kernels.js';

const KERNEL = 'TfjsActivationsSigmoidSum';
const KERNEL_GRAD = 'TfjsActivationsSigmoidSumGrad';

/**
 * The largest distance from two shifts to their midpoint c for which the SIMD kernel
 * sigmoid_sum_two is used (10: MSAF's default shifts 0 and 20). Its one exp(-|x - c|) is 0 below
 * -87.33 (as every exp of the module), so a sigmoid whose argument is below -87.33 + 10 comes out
 * 0: values under exp(-77.33) = 2.6e-34 are lost, where a pass per sigmoid loses only those under
 * exp(-87.33) = 1.2e-38. A wider gap would lose more (2.8e-21 at 40); such pairs take a pass each.
 */
const PAIR_MAX_HALF_GAP = 10;

/**
 * The scalars of the SIMD kernel sigmoid_sum_two (simd/wat_sigmoid.ts) for the shifts lo <= hi: a
 * float32 midpoint c, k0 = exp(-h0) and k1 = exp(-h1) for h0 = c - lo, h1 = hi - c (in float64).
 * With u = x - c, x - lo = u + h0 and x - hi = u - h1, so one exp(-|u|) serves both sigmoids.
 */
function pairParts(lo: number, hi: number): { center: number; k0: number; k1: number } {
  const center = Math.fround((lo + hi) / 2);
  return { center, k0: Math.exp(-(center - lo)), k1: Math.exp(-(hi - center)) };
}

registerHostKernel({
  name: KERNEL,
  wasmNeedsSimd: true,
  inputs: ['x'],
  outputShapes: ([x]) => [x, x],
  simd: ({ kernels, inputs: [x], outputs: [y, slope], shapes: [shape], attrs }) => {
    const shifts = attrs.shifts as number[];
    const n = tf.util.sizeFromShape(shape);
    const offset = attrs.offset as number;
    const lo = shifts.length >= 2 ? Math.min(shifts[0], shifts[1]) : NaN;
    const hi = shifts.length >= 2 ? Math.max(shifts[0], shifts[1]) : NaN;
    if (hi - lo <= 2 * PAIR_MAX_HALF_GAP) {
      // One exp for the first two sigmoids (the sum does not depend on their order).
      const { center, k0, k1 } = pairParts(lo, hi);
      kernels.sigmoid_sum_two(x, y, slope, n, center, k0, k1, offset);
    } else {
      kernels.sigmoid_sum_first(x, y, slope, n, shifts[0], offset);
      if (shifts.length >= 2) kernels.sigmoid_sum_add(x, y, slope, n, shifts[1]);
    }
    for (const shift of shifts.slice(2)) kernels.sigmoid_sum_add(x, y, slope, n, shift);
  },
  compute: ({ inputs: [x], outputs: [y, slope], attrs }) => {
    const shifts = attrs.shifts as number[];
    const offset = attrs.offset as number;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      let sum = offset;
      let d = 0;
      for (let k = 0; k < shifts.length; k++) {
        const s = 1 / (1 + Math.exp(shifts[k] - v));
        sum += s;
        d += s - s * s;
      }
      y[i] = sum;
      slope[i] = d;
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  wasmNeedsSimd: true,
  inputs: ['dy', 'slope'],
  outputShapes: ([dy]) => [dy],
  simd: ({ kernels, inputs: [dy, slope], outputs: [dx], shapes: [shape] }) => kernels.multiply(dy, slope, dx, tf.util.sizeFromShape(shape)),
  compute: ({ inputs: [dy, slope], outputs: [dx] }) => {
    for (let i = 0; i < dy.length; i++) dx[i] = dy[i] * slope[i];
  },
});

// The backward pass needs only the slope, not x (tfjs would keep a copy of each saved input).
registerHostGradientKernel(KERNEL, KERNEL_GRAD, [null, 'slope'], []);

/** offset + sum_k sigmoid(x - shifts[k]) for float32 `x` (shifts non-empty), with its gradient. */
export function sigmoidSum(x: tf.Tensor, shifts: readonly number[], offset: number): tf.Tensor {
  if (hasHostKernel(KERNEL)) return runHostKernelFirstOutput(KERNEL, { x }, { shifts: [...shifts], offset });
  let y: tf.Tensor | null = null;
  for (const b of shifts) {
    const s = tf.sigmoid(b === 0 ? x : tf.sub(x, b));
    y = y === null ? s : tf.add(y, s);
  }
  const sum = y as tf.Tensor;
  return offset === 0 ? sum : tf.add(sum, offset);
}
