/**
 * offset + sum_k sigmoid(x - shifts[k]), element-wise: the multistate activation functions of
 * Cai et al. (MSAF: offset a, shifts b; symmetrical MSAF: offset -1, shifts [0, -a]).
 *
 * - cpu backend: one JavaScript loop forward, which also stores the derivative
 *   sum_k s_k (1 - s_k) for the backward pass (one product); about 4x faster than tfjs' ops there.
 * - wasm backend: the same in WebAssembly SIMD kernels (simd/wat_sigmoid.ts, two shifts in one
 *   pass); without WebAssembly SIMD, the tfjs ops below.
 * - Other backends: tfjs ops, gradient derived by tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostGradientKernel, registerHostKernel, runHostKernelFirstOutput } from './host_kernels.js';

const KERNEL = 'TfjsActivationsSigmoidSum';
const KERNEL_GRAD = 'TfjsActivationsSigmoidSumGrad';

registerHostKernel({
  name: KERNEL,
  wasmNeedsSimd: true,
  inputs: ['x'],
  outputShapes: ([x]) => [x, x],
  simd: ({ kernels, inputs: [x], outputs: [y, slope], shapes: [shape], attrs }) => {
    const shifts = attrs.shifts as number[];
    const n = tf.util.sizeFromShape(shape);
    const offset = attrs.offset as number;
    if (shifts.length === 1) kernels.sigmoid_sum_first(x, y, slope, n, shifts[0], offset);
    else kernels.sigmoid_sum_two(x, y, slope, n, shifts[0], shifts[1], offset);
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
