import * as tf from '@tensorflow/tfjs';
import {
  hasHostKernel,
  perUnitValues,
  registerHostGradientKernel,
  registerHostKernel,
  runHostKernelFirstOutput,
  simdUnitSums,
  storeParamGrad,
  unitsOf,
  type SimdKernelArgs,
} from '../kernels/host_kernels.js';
import {
  builtWeight,
  checkArgNames,
  checkNumber,
  ElementwiseLayer,
  optionalBoolean,
  type Kwargs,
  type LayerArgs,
} from './common.js';

/** Default frequency a: 0.5, the paper's suggestion for ordinary (non-periodic) tasks. */
export const DEFAULT_SNAKE_A = 0.5;

/**
 * Guard of the learnable Snake against a -> 0. A learned a with |a| < 1e-6 is used as
 * a + 1e-6 (a >= 0) or a - 1e-6 (a < 0), so the layer never divides by 0: the output stays within
 * about 1e-6 x^2 of the exact f (whose limit at a = 0 is x), and the gradient with respect to a
 * stays finite and near its limit x^2 (near a = 0 it is only as accurate as the backend's sin:
 * tfjs' wasm sin has an absolute error of about 2e-7, which the 1/a^2 in df/da amplifies to about
 * 1% at a = 0). Elsewhere f is computed exactly as written.
 */
export const SNAKE_MIN_ABS_A = 1e-6;

/** Arguments of the {@link Snake} layer: the usual tfjs layer arguments plus the ones below. */
export interface SnakeArgs extends LayerArgs {
  /**
   * The frequency a: the fixed value, or the starting value when learnable. A finite number != 0.
   * Default: 0.5.
   */
  a?: number;
  /** true: a is a trainable weight; false: a is the fixed constant `a`. Default: true. */
  learnable?: boolean;
  /**
   * With `learnable`: false for one a for the whole layer (shape []), true for one per unit, i.e.
   * per entry of the last input dimension. Default: false. Not allowed with `learnable: false`.
   */
  perUnit?: boolean;
}

const OWN_ARGS = ['a', 'learnable', 'perUnit'] as const;

/**
 * Snake activation of Ziyin, Hartwig and Ueda: element-wise
 *
 *     f(x) = x + sin^2(a x) / a
 *
 * a monotone function (f' = 1 + sin(2 a x) >= 0) with a periodic component of period pi / |a|,
 * which lets networks extrapolate periodic functions. Derivatives: df/dx = 1 + sin(2 a x),
 * df/da = x sin(2 a x) / a - sin^2(a x) / a^2, whose limit at a = 0 is x^2 (and f -> x).
 *
 * By default a is a trainable float32 weight named `a` (shape [] or [d] with `perUnit`, d = last
 * input dimension), starting at 0.5; with `learnable: false` it is the fixed constant `a`. A learned
 * a near 0 is handled as described for {@link SNAKE_MIN_ABS_A}, so neither the output nor the
 * gradient becomes NaN when training drives a to 0.
 *
 * On the cpu and wasm backends one JavaScript loop computes the forward pass (one Math.sin per
 * element) and one the backward pass (one Math.sin(2 a x) per element); tfjs' wasm Sin kernel is
 * slower than Math.sin. Elsewhere, tfjs ops.
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: L. Ziyin, T. Hartwig and M. Ueda, "Neural Networks Fail to Learn Periodic Functions and
 * How to Fix It", NeurIPS 2020 (arXiv:2006.08195). The paper suggests a = 0.5 for ordinary tasks,
 * larger values (about 5 to 50) for data with a known periodic component, and making a learnable.
 */
export class Snake extends ElementwiseLayer {
  /** @nocollapse */
  static className = 'Snake';

  private readonly a: number;
  private readonly learnable: boolean;
  private readonly perUnit: boolean;
  private aWeight: tf.LayerVariable | null = null;

  /**
   * @throws Error when `a` is not a finite number != 0, when `learnable` or `perUnit` is not a
   *   boolean, when `perUnit` is set with `learnable: false`, or when `args` holds an argument name
   *   Snake does not know.
   */
  constructor(args: SnakeArgs = {}) {
    super(args);
    checkArgNames('Snake', args, OWN_ARGS);
    this.a = args.a === undefined ? DEFAULT_SNAKE_A : checkNumber('Snake', 'a', args.a);
    if (this.a === 0) throw new Error('Snake: a must be a finite number != 0, got 0.');
    this.learnable = optionalBoolean('Snake', 'learnable', args.learnable, true);
    this.perUnit = optionalBoolean('Snake', 'perUnit', args.perUnit, false);
    if (this.perUnit && !this.learnable) {
      throw new Error('Snake: perUnit needs learnable: true (a fixed a is one constant).');
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    if (this.learnable) this.aWeight = this.addParameter('a', inputShape, this.perUnit, this.a);
    this.built = true;
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    if (hasHostKernel(KERNEL)) {
      const a = this.learnable ? builtWeight('Snake', this.aWeight).read() : tf.scalar(this.a);
      return runHostKernelFirstOutput(KERNEL, { x, a }, { guard: this.learnable });
    }
    if (!this.learnable) {
      return tf.add(x, tf.mul(tf.square(tf.sin(tf.mul(x, this.a))), 1 / this.a));
    }
    const a = awayFromZero(builtWeight('Snake', this.aWeight).read());
    return tf.add(x, tf.mul(tf.square(tf.sin(tf.mul(x, a))), tf.reciprocal(a)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), a: this.a, learnable: this.learnable, perUnit: this.perUnit };
  }
}
tf.serialization.registerClass(Snake);

/**
 * Snake on the cpu and wasm backends. With A = a (guarded as in awayFromZero when learned) and s = sin(A x)
 * (a second output, saved for the gradient): y = x + s^2 / A; dx = dy (1 + sin(2 A x));
 * dA = sum dy (x sin(2 A x) / A - s^2 / A^2), per unit or over everything (the guard passes the
 * gradient unchanged).
 */
const KERNEL = 'TfjsActivationsSnake';
const KERNEL_GRAD = 'TfjsActivationsSnakeGrad';

const MIN_ABS_A32 = Math.fround(SNAKE_MIN_ABS_A);

/** a per unit, guarded away from 0 when learned (attribute `guard`), as awayFromZero does in float32. */
function guarded(values: Float32Array, units: number, attrs: tf.NamedAttrMap): Float64Array {
  const a = perUnitValues(KERNEL, 'a', values, units);
  if (attrs.guard !== true) return Float64Array.from(a);
  return Float64Array.from(a, (v) => (Math.abs(v) >= MIN_ABS_A32 ? v : Math.fround(v + (v >= 0 ? MIN_ABS_A32 : -MIN_ABS_A32))));
}

/** The guarded per-unit a of input `index` and its reciprocals on the heap, for the SIMD kernels. */
function simdA(args: SimdKernelArgs, index: number, units: number): [number, number] {
  const a = guarded(args.values(index), units, args.attrs);
  return [args.scratch(a), args.scratch(a.map((v) => 1 / v))];
}

registerHostKernel({
  name: KERNEL,
  inputs: ['x', 'a'],
  outputShapes: ([x]) => [x, x],
  simd: (args) => {
    const { kernels, inputs: [x], outputs: [y, sin], shapes: [shape] } = args;
    const units = unitsOf(shape);
    const [a, inv] = simdA(args, 1, units);
    kernels.snake(x, a, inv, y, sin, tf.util.sizeFromShape(shape), units);
  },
  compute: ({ inputs: [x, aValues], outputs: [y, sin], shapes, attrs }) => {
    const units = unitsOf(shapes[0]);
    const a = guarded(aValues, units, attrs);
    for (let base = 0; base < x.length; base += units) {
      for (let j = 0; j < units; j++) {
        const i = base + j;
        const v = x[i];
        const aj = a[j];
        const s = Math.sin(aj * v);
        sin[i] = s;
        y[i] = v + (s * s) / aj;
      }
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  inputs: ['dy', 'x', 'sin', 'a'],
  outputShapes: ([dy, , , a]) => [dy, a],
  simd: (args) => {
    const { kernels, inputs: [dy, x, sin], outputs: [dx, da], shapes } = args;
    const units = unitsOf(shapes[1]);
    const [a, inv] = simdA(args, 3, units);
    const [partial, totals] = simdUnitSums(args, units);
    kernels.snake_grad(dy, x, sin, a, inv, dx, partial, totals, tf.util.sizeFromShape(shapes[1]), units);
    const heap = args.buffer();
    const invValues = new Float32Array(heap, inv, units);
    const acc = args.float64s(totals, units).map((sum, j) => sum * invValues[j]);
    storeParamGrad(acc, new Float32Array(heap, da, tf.util.sizeFromShape(shapes[3])));
  },
  compute: ({ inputs: [dy, x, sin, aValues], outputs: [dx, da], shapes, attrs }) => {
    const units = unitsOf(shapes[1]);
    const a = guarded(aValues, units, attrs);
    // Unit by unit (column-wise), so that the sums stay in registers: about twice as fast as
    // adding into a per-unit array at every element.
    const acc = new Float64Array(units);
    for (let j = 0; j < units; j++) {
      const aj = a[j];
      const inv = 1 / aj;
      let sum = 0;
      for (let i = j; i < x.length; i += units) {
        const v = x[i];
        const g = dy[i];
        const s2 = Math.sin(2 * aj * v);
        const s = sin[i];
        dx[i] = g * (1 + s2);
        sum += g * (v * s2 - s * s * inv);
      }
      acc[j] = sum * inv;
    }
    storeParamGrad(acc, da);
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD, [null, 'sin']);

/**
 * `a` with every entry of magnitude below {@link SNAKE_MIN_ABS_A} moved that far from 0 (keeping
 * its sign, + for 0). Only ops with gradients are used, and d(result)/da = 1 everywhere.
 */
function awayFromZero(a: tf.Tensor): tf.Tensor {
  const sign = tf.sub(tf.mul(tf.cast(tf.greaterEqual(a, 0), 'float32'), 2), 1);
  return tf.where(tf.greaterEqual(tf.abs(a), SNAKE_MIN_ABS_A), a, tf.add(a, tf.mul(sign, SNAKE_MIN_ABS_A)));
}

/**
 * Creates a {@link Snake} layer (Ziyin et al. 2020): x + sin^2(a*x)/a, a learnable (initial 0.5)
 * unless `learnable: false`.
 */
export function snake(args?: SnakeArgs): Snake {
  return new Snake(args);
}
