/**
 * The ELU with scales, f(x) = x for x > 0 and alpha (exp(x / beta) - 1) for x <= 0, shared by
 * {@link AlphaELU} (beta = 1) and {@link CELU} (beta = alpha). Its derivative is 1 for x > 0 and
 * (alpha / beta) exp(x / beta) = (f(x) + alpha) / beta for x <= 0.
 *
 * - cpu backend: one JavaScript loop each way (see host_kernels.ts), about 5x faster than the
 *   tfjs ops below there.
 * - wasm backend: one WebAssembly SIMD kernel each way (simd/wat_elu.ts); without WebAssembly
 *   SIMD, the tfjs ops below.
 * - Other backends: tfjs' Elu kernel with a hand-written gradient made of tfjs' EluGrad kernel and
 *   one product, instead of the gradient tfjs derives from a composition (LeakyRelu, whose wasm
 *   kernel is a slow scalar loop, or three products).
 */
import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostGradientKernel, registerHostKernel, runHostKernel } from './host_kernels.js';

const KERNEL = 'TfjsActivationsScaledELU';
const KERNEL_GRAD = 'TfjsActivationsScaledELUGrad';

registerHostKernel({
  name: KERNEL,
  wasmNeedsSimd: true,
  inputs: ['x'],
  outputShapes: ([x]) => [x],
  simd: ({ kernels, inputs: [x], outputs: [y], shapes: [shape], attrs }) =>
    kernels.scaled_elu(x, y, tf.util.sizeFromShape(shape), attrs.alpha as number, 1 / (attrs.beta as number)),
  compute: ({ inputs: [x], outputs: [y], attrs }) => {
    const alpha = attrs.alpha as number;
    const inv = 1 / (attrs.beta as number);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const m = +(v > 0);
      // Branch-free: expm1(0) = 0 on the positive side; -Infinity * 0 = NaN takes the exact form.
      const r = v * m + alpha * Math.expm1(v * inv * (1 - m));
      y[i] = r === r || v !== v ? r : v > 0 ? v : alpha * Math.expm1(v * inv);
    }
  },
});

// The gradient from y alone (alpha > 0: y > 0 exactly where x > 0, and y is NaN where x is), so
// that the backward pass does not keep x: tfjs copies every saved tensor on each call.
registerHostKernel({
  name: KERNEL_GRAD,
  wasmNeedsSimd: true,
  inputs: ['dy', 'y'],
  outputShapes: ([dy]) => [dy],
  simd: ({ kernels, inputs: [dy, y], outputs: [dx], shapes: [shape], attrs }) =>
    kernels.scaled_elu_grad(dy, y, dx, tf.util.sizeFromShape(shape), attrs.alpha as number, 1 / (attrs.beta as number)),
  compute: ({ inputs: [dy, y], outputs: [dx], attrs }) => {
    // alpha as float32, as y was rounded: y >= -alpha32, so y + alpha32 >= 0. With the float64
    // alpha, y = -0.30000001 (alpha 0.3, x << 0) gave the derivative a negative sign.
    const alpha = Math.fround(attrs.alpha as number);
    const inv = 1 / (attrs.beta as number);
    // A select, not m + (1 - m) (y + alpha) inv: at y = Infinity that is 1 + 0 * Infinity = NaN.
    for (let i = 0; i < y.length; i++) dx[i] = y[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha) * inv;
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD, ['y'], []);

type UnaryOp = (x: tf.Tensor) => tf.Tensor;
const opsCache = new Map<string, UnaryOp>();

/**
 * tfjs ops with a hand-written gradient: e = elu(x / beta), f = e * s with s = beta for x > 0
 * and alpha otherwise (s = step(x, alpha / beta) * beta); df/dx = EluGrad(dy, e) * s / beta.
 */
function opsFor(alpha: number, beta: number): UnaryOp {
  const key = `${alpha},${beta}`;
  let op = opsCache.get(key);
  if (op === undefined) {
    op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
      const e = tf.elu(beta === 1 ? x : tf.mul(x, 1 / beta));
      // celu (alpha = beta): s is the constant alpha; otherwise it depends on the sign of x.
      const s = alpha === beta ? null : beta === 1 ? tf.step(x, alpha) : tf.mul(tf.step(x, alpha / beta), beta);
      save(s === null ? [e] : [e, s]);
      return {
        value: s === null ? tf.mul(e, alpha) : tf.mul(e, s),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const g = tf.engine().runKernel('EluGrad', { dy, y: saved[0] }) as tf.Tensor;
          if (saved.length === 1) return g;
          return beta === 1 ? tf.mul(g, saved[1]) : tf.mul(g, tf.mul(saved[1], 1 / beta));
        },
      };
    }) as UnaryOp;
    opsCache.set(key, op);
  }
  return op;
}

/**
 * f(x) = x for x > 0, alpha (exp(x / beta) - 1) for x <= 0, element-wise, with its gradient;
 * the derivative at 0 is alpha / beta (the negative side's), as tfjs' leakyRelu(elu(x)) has.
 * `x` must be float32; alpha and beta are finite numbers > 0.
 */
export function scaledElu(x: tf.Tensor, alpha: number, beta: number): tf.Tensor {
  if (hasHostKernel(KERNEL)) return runHostKernel(KERNEL, { x }, { alpha, beta }) as tf.Tensor;
  return opsFor(alpha, beta)(x);
}
