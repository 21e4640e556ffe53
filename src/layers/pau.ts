import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostGradientKernel, registerHostKernel, runHostKernel, type SimdKernelArgs } from '../kernels/host_kernels.js';
import { checkArgNames, checkNumber, layerArgs, describe, floatInput, readWeight, type Kwargs, type LayerArgs } from './common.js';

/**
 * Default initial numerator coefficients a_0..a_5: the authors' fit of leaky ReLU (slope 0.01) on
 * [-3, 3] ("pade_optimized_leakyrelu" in github.com/ml-research/pau, the paper's code).
 */
export const DEFAULT_PAU_NUMERATOR: readonly number[] = Object.freeze([
  3.35583603e-2, 5.05000375e-1, 1.65343934, 2.01001052, 9.31901999e-1, 1.52424124e-1,
]);
/** Default initial denominator coefficients b_1..b_4, from the same fit. */
export const DEFAULT_PAU_DENOMINATOR: readonly number[] = Object.freeze([
  3.30847488e-6, 3.98021568, 5.12471206e-7, 3.01830109e-1,
]);
/** Largest accepted number of coefficients in the numerator or the denominator. */
export const MAX_PAU_COEFFICIENTS = 16;

/** Arguments of the {@link PAU} layer: the usual tfjs layer arguments plus the ones below. */
export interface PAUArgs extends LayerArgs {
  /**
   * Initial numerator coefficients [a_0, a_1, ..., a_m]; their count m + 1 sets the degree m of P.
   * 1 to 16 finite numbers. Default: the authors' leaky-ReLU fit, m = 5.
   */
  initialNumerator?: number[];
  /**
   * Initial denominator coefficients [b_1, ..., b_n]; their count sets the degree n of Q.
   * 1 to 16 finite numbers. Default: the authors' leaky-ReLU fit, n = 4.
   */
  initialDenominator?: number[];
}

const OWN_ARGS = ['initialNumerator', 'initialDenominator'] as const;
const CLASS = 'PAU';

/**
 * Padé Activation Unit of Molina, Schramowski and Kersting, in the paper's "safe" form: element-wise
 *
 *     F(x) = P(x) / Q(x),   P(x) = a_0 + a_1 x + ... + a_m x^m,
 *                           Q(x) = 1 + |b_1| |x| + |b_2| |x|^2 + ... + |b_n| |x|^n
 *
 * with m = 5 and n = 4 by default. Q(x) >= 1, so F has no poles. The m + 1 + n coefficients are
 * two trainable float32 weights of the layer, `numerator` [m + 1] and `denominator` [n], shared by
 * all units as in the paper (one PAU per layer).
 *
 * Denominator form: this is the paper's safe PAU and the one of the authors' original code
 * (CUDA kernels and Python reference of github.com/ml-research/pau), later called "version A" in
 * their `rational_activations` package, where it is the default. Their "version B" is
 * Q(x) = 1 + |b_1 x + ... + b_n x^n|; with the default coefficients (b_1, b_3 ~ 1e-6 and
 * b_2, b_4 > 0) both forms agree to 3e-8 on [-3, 3]. The later package also adds a learnable
 * input shift ("center", initial 0), which is not in the paper and not here.
 *
 * Initialization: the coefficients of the authors' fit of leaky ReLU (slope 0.01) on [-3, 3]
 * (max error 0.034 there, at x = 0 where F(0) = a_0; mean error 0.004). Outside [-3, 3] the
 * initial F bends toward a_5/b_4 x = 0.505 x on both sides, as theirs does.
 *
 * Derivatives: dF/dx = P'(x)/Q(x) - P(x) sign(x) (|b_1| + 2|b_2||x| + ...)/Q(x)^2;
 * dF/da_j = x^j/Q(x); dF/db_k = -sign(b_k) |x|^k P(x)/Q(x)^2. At x = 0 (a kink of Q when b_1 != 0)
 * tfjs takes sign(0) = -1 for d|x|/dx, where the authors' CUDA kernel takes +1; with the default
 * coefficients the two derivatives differ by 2 a_0 |b_1| = 2e-7.
 *
 * Evaluated by Horner's rule in x and |x|: in one JavaScript loop in float64 on the cpu and wasm
 * backends (see KERNEL below), with tfjs ops in float32 on other backends (there inputs beyond
 * about 1e7 in magnitude overflow x^5 and give NaN).
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: A. Molina, P. Schramowski, K. Kersting, "Padé Activation Units: End-to-end Learning of
 * Flexible Activation Functions in Deep Networks", ICLR 2020 (arXiv:1907.06732).
 */
export class PAU extends tf.layers.Layer {
  /** @nocollapse */
  static className = CLASS;

  private readonly initialNumerator: number[];
  private readonly initialDenominator: number[];
  private numerator: tf.LayerVariable | null = null;
  private denominator: tf.LayerVariable | null = null;

  /**
   * @throws Error when `initialNumerator` or `initialDenominator` is not an array of 1 to 16 finite
   *   numbers, or when `args` holds an argument name PAU does not know.
   */
  constructor(args: PAUArgs = {}) {
    super(layerArgs(CLASS, args));
    checkArgNames(CLASS, args, OWN_ARGS);
    this.initialNumerator = checkCoefficients('initialNumerator', args.initialNumerator, DEFAULT_PAU_NUMERATOR);
    this.initialDenominator = checkCoefficients('initialDenominator', args.initialDenominator, DEFAULT_PAU_DENOMINATOR);
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    void inputShape;
    const create = (name: string, values: number[]) => {
      const weight = this.addWeight(name, [values.length], 'float32', tf.initializers.zeros());
      tf.tidy(() => {
        weight.write(tf.tensor1d(values, 'float32'));
      });
      return weight;
    };
    this.numerator = create('numerator', this.initialNumerator);
    this.denominator = create('denominator', this.initialDenominator);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return tf.tidy(() => {
      const x = floatInput(CLASS, inputs);
      const numerator = readWeight(CLASS, this.numerator);
      const denominator = readWeight(CLASS, this.denominator);
      if (hasHostKernel(KERNEL)) return runHostKernel(KERNEL, { x, numerator, denominator }) as tf.Tensor;
      const a = tf.unstack(numerator);
      const b = tf.unstack(tf.abs(denominator));
      const p = horner(a, x);
      // Q = 1 + |x| (|b_1| + |x| (|b_2| + ...)), i.e. Horner in |x| with constant term 1.
      const q = tf.add(1, tf.mul(tf.abs(x), horner(b, tf.abs(x))));
      return tf.div(p, q);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      initialNumerator: [...this.initialNumerator],
      initialDenominator: [...this.initialDenominator],
    };
  }
}
tf.serialization.registerClass(PAU);

/**
 * PAU on the cpu and wasm backends: one loop each way, in float64, with the derivatives given in
 * the class comment (sign(0) = -1 for |x| and |b_k|, as tfjs' abs gradient).
 */
const KERNEL = 'TfjsActivationsPAU';
const KERNEL_GRAD = 'TfjsActivationsPAUGrad';

/** The default degrees' coefficients (a_0..a_5, |b_1|..|b_4|) for the SIMD kernels, or null for other degrees. */
function simdCoefficients(args: SimdKernelArgs, aIndex: number): number[] | null {
  const a = args.values(aIndex);
  const b = args.values(aIndex + 1);
  return a.length === 6 && b.length === 4 ? [...a, ...Array.from(b, Math.abs)] : null;
}

registerHostKernel({
  name: KERNEL,
  inputs: ['x', 'numerator', 'denominator'],
  outputShapes: ([x]) => [x],
  // On wasm, the default degrees in float64 SIMD (the same results as forward54); others below.
  simd: (args) => {
    const coefficients = simdCoefficients(args, 1);
    if (coefficients === null) return false;
    args.kernels.pau54(args.inputs[0], args.outputs[0], tf.util.sizeFromShape(args.shapes[0]), ...coefficients);
  },
  compute: ({ inputs: [x, a, bSigned], outputs: [y] }) => {
    const b = Float64Array.from(bSigned, Math.abs);
    const m = a.length - 1;
    const n = b.length - 1;
    if (m === 5 && n === 3) {
      forward54(x, a, b, y);
      return;
    }
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const z = Math.abs(v);
      let p = a[m];
      for (let k = m - 1; k >= 0; k--) p = p * v + a[k];
      let q = b[n];
      for (let k = n - 1; k >= 0; k--) q = q * z + b[k];
      y[i] = p / (1 + z * q);
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  inputs: ['dy', 'x', 'numerator', 'denominator'],
  outputShapes: ([dy, , a, b]) => [dy, a, b],
  simd: (args) => {
    const coefficients = simdCoefficients(args, 2);
    if (coefficients === null) return false;
    const bSigned = Float32Array.from(args.values(3));
    const sums = args.scratch(20); // 10 float64 sums
    const [dy, x] = args.inputs;
    const [dx, da, db] = args.outputs;
    args.kernels.pau54_grad(dy, x, dx, sums, tf.util.sizeFromShape(args.shapes[1]), ...coefficients);
    const acc = args.float64s(sums, 10);
    const heap = args.buffer();
    storePauGrads(acc.subarray(0, 6), acc.subarray(6), bSigned, new Float32Array(heap, da, 6), new Float32Array(heap, db, 4));
  },
  compute: ({ inputs: [dy, x, a, bSigned], outputs: [dx, da, db] }) => {
    const b = Float64Array.from(bSigned, Math.abs);
    const m = a.length - 1;
    const n = b.length - 1;
    const accA = new Float64Array(m + 1);
    const accB = new Float64Array(n + 1);
    if (m === 5 && n === 3) {
      backward54(dy, x, a, b, dx, accA, accB);
    } else for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const g = dy[i];
      const z = Math.abs(v);
      // P and P' by Horner in x; R = sum_k |b_k| |x|^(k-1) and R' in |x|; Q = 1 + |x| R.
      let p = a[m];
      let dp = 0;
      for (let k = m - 1; k >= 0; k--) {
        dp = dp * v + p;
        p = p * v + a[k];
      }
      let r = b[n];
      let dr = 0;
      for (let k = n - 1; k >= 0; k--) {
        dr = dr * z + r;
        r = r * z + b[k];
      }
      const q = 1 + z * r;
      const dq = (r + z * dr) * (v > 0 ? 1 : -1);
      const gq = g / q;
      dx[i] = gq * (dp - (p * dq) / q);
      let power = 1;
      for (let k = 0; k <= m; k++) {
        accA[k] += gq * power;
        power *= v;
      }
      const c = (gq * p) / q;
      power = z;
      for (let k = 0; k <= n; k++) {
        accB[k] -= c * power;
        power *= z;
      }
    }
    storePauGrads(accA, accB, bSigned, da, db);
  },
});

/** The coefficients' gradients from the sums over |b_k| (d|b|/db = sign(b), -1 at 0 as tfjs' abs). */
function storePauGrads(accA: Float64Array, accB: Float64Array, bSigned: Float32Array, da: Float32Array, db: Float32Array): void {
  for (let k = 0; k < accA.length; k++) da[k] = accA[k];
  for (let k = 0; k < accB.length; k++) db[k] = bSigned[k] > 0 ? accB[k] : -accB[k];
}

registerHostGradientKernel(KERNEL, KERNEL_GRAD);

// The default degrees (5/4: a_0..a_5 and b_1..b_4, i.e. b[0..3]) with the coefficients and sums in
// local variables: the general loops above keep them in arrays, which V8 reads and writes through
// memory for every element (about 2-3x slower). Same operations in the same order, so the same
// float64 results (except at infinite x, where both give NaN anyway).

function forward54(x: Float32Array, a: Float32Array, b: Float64Array, y: Float32Array): void {
  const [a0, a1, a2, a3, a4, a5] = a;
  const [b0, b1, b2, b3] = b;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const z = Math.abs(v);
    const p = ((((a5 * v + a4) * v + a3) * v + a2) * v + a1) * v + a0;
    const q = ((b3 * z + b2) * z + b1) * z + b0;
    y[i] = p / (1 + z * q);
  }
}

function backward54(
  dy: Float32Array, x: Float32Array, a: Float32Array, b: Float64Array, dx: Float32Array, accA: Float64Array, accB: Float64Array,
): void {
  const [a0, a1, a2, a3, a4, a5] = a;
  const [b0, b1, b2, b3] = b;
  let sa0 = 0, sa1 = 0, sa2 = 0, sa3 = 0, sa4 = 0, sa5 = 0;
  let sb0 = 0, sb1 = 0, sb2 = 0, sb3 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const g = dy[i];
    const z = Math.abs(v);
    // Horner for P and P' (as the general loop: dp = dp * v + p before p = p * v + a_k).
    let p = a5;
    let dp = p;
    p = p * v + a4;
    dp = dp * v + p;
    p = p * v + a3;
    dp = dp * v + p;
    p = p * v + a2;
    dp = dp * v + p;
    p = p * v + a1;
    dp = dp * v + p;
    p = p * v + a0;
    let r = b3;
    let dr = r;
    r = r * z + b2;
    dr = dr * z + r;
    r = r * z + b1;
    dr = dr * z + r;
    r = r * z + b0;
    const q = 1 + z * r;
    const dq = (r + z * dr) * (v > 0 ? 1 : -1);
    const gq = g / q;
    dx[i] = gq * (dp - (p * dq) / q);
    const v2 = v * v;
    const v3 = v2 * v;
    const v4 = v3 * v;
    sa0 += gq;
    sa1 += gq * v;
    sa2 += gq * v2;
    sa3 += gq * v3;
    sa4 += gq * v4;
    sa5 += gq * (v4 * v);
    const c = (gq * p) / q;
    const z2 = z * z;
    const z3 = z2 * z;
    sb0 -= c * z;
    sb1 -= c * z2;
    sb2 -= c * z3;
    sb3 -= c * (z3 * z);
  }
  accA.set([sa0, sa1, sa2, sa3, sa4, sa5]);
  accB.set([sb0, sb1, sb2, sb3]);
}

/** c_0 + z (c_1 + z (c_2 + ...)) for scalar coefficients c and a tensor z. */
function horner(c: tf.Tensor[], z: tf.Tensor): tf.Tensor {
  let acc: tf.Tensor = c[c.length - 1];
  for (let k = c.length - 2; k >= 0; k--) acc = tf.add(tf.mul(acc, z), c[k]);
  // A single coefficient is a scalar; broadcast it to the input's shape.
  return c.length === 1 ? tf.add(tf.zerosLike(z), acc) : acc;
}

function checkCoefficients(argName: string, value: unknown, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const range = `an array of 1 to ${MAX_PAU_COEFFICIENTS} finite numbers`;
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_PAU_COEFFICIENTS) {
    throw new Error(`${CLASS}: ${argName} must be ${range}, got ${describe(value)}.`);
  }
  return value.map((v, i) => checkNumber(CLASS, `${argName}[${i}]`, v));
}

/**
 * Creates a {@link PAU} layer (Molina et al. 2020): P(x)/Q(x) with P of degree 5, the safe
 * Q(x) = 1 + sum_k |b_k| |x|^k of degree 4, coefficients learnable per layer, starting at the
 * authors' leaky-ReLU fit.
 */
export function pau(args?: PAUArgs): PAU {
  return new PAU(args);
}
