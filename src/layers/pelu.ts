import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostGradientKernel, registerHostKernel, runHostKernel } from '../kernels/host_kernels.js';
import { builtWeight, checkArgNames, checkNumber, ElementwiseLayer, type Kwargs, type LayerArgs } from './common.js';

/** Default initial a and b: 1, as in the paper (PELU then starts as ELU with alpha 1). */
export const DEFAULT_PELU_INITIAL = 1;

/**
 * Lower bound of a and b in the forward pass: 0.1, the bound of the authors' Torch code, which
 * keeps the parameters positive as the paper requires.
 */
export const PELU_MIN_PARAMETER = 0.1;

/** Arguments of the {@link PELU} layer: the usual tfjs layer arguments plus the ones below. */
export interface PELUArgs extends LayerArgs {
  /** The starting value of a: a finite number >= 0.1. Default: 1. */
  initialA?: number;
  /** The starting value of b: a finite number >= 0.1. Default: 1. */
  initialB?: number;
}

const OWN_ARGS = ['initialA', 'initialB'] as const;

/**
 * Parametric exponential linear unit (PELU) of Trottier, Giguère and Chaib-draa: element-wise
 *
 *     f(x) = (a / b) x              for x >= 0
 *     f(x) = a (exp(x / b) - 1)     for x < 0
 *
 * with learnable a, b > 0, i.e. f(x) = a * elu(x / b). The derivative df/dx = a/b for x >= 0 and
 * (a/b) exp(x/b) for x < 0 is continuous at 0. df/da = x/b or exp(x/b) - 1;
 * df/db = -a x / b^2 or -a x exp(x/b) / b^2.
 *
 * a and b are trainable float32 scalar weights named `a` and `b` (one pair per layer, as in the
 * paper: 2L parameters for L layers), both starting at 1. The paper keeps them positive; like the
 * authors' code, the forward pass uses max(a, 0.1) and max(b, 0.1). tfjs optimizers ignore weight
 * constraints, so the bound is applied here: below 0.1 the gradient passes to the stored value only
 * when it would raise it. With plain gradient descent (SGD) a stored value below 0.1 therefore
 * only moves up, although one step from above can land below 0.1. Optimizers with momentum
 * (Adam, Adamax, RMSProp with momentum) keep moving the stored value on their momentum while its
 * gradient is 0: it can sink well below 0.1 (Adam at learning rate 0.05 took a from 0.3 to below
 * -0.3 in 40 steps, in a test) and then take as many steps to climb back. The function is
 * unaffected meanwhile (the forward pass uses 0.1), but `getWeights()` and saved models show the
 * stored value. (The authors' code also caps a at 2; the paper does not, and neither does this
 * layer.)
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: L. Trottier, P. Giguère and B. Chaib-draa, "Parametric Exponential Linear Unit for Deep
 * Convolutional Neural Networks", ICMLA 2017 (arXiv:1605.09332); authors' code
 * github.com/ltrottier/pelu.resnet.torch. Not in tfjs, PyTorch or Keras.
 */
export class PELU extends ElementwiseLayer {
  /** @nocollapse */
  static className = 'PELU';

  private readonly initialA: number;
  private readonly initialB: number;
  private a: tf.LayerVariable | null = null;
  private b: tf.LayerVariable | null = null;

  /**
   * @throws Error when `initialA` or `initialB` is not a finite number >= 0.1, or when `args` holds
   *   an argument name PELU does not know.
   */
  constructor(args: PELUArgs = {}) {
    super(args);
    checkArgNames('PELU', args, OWN_ARGS);
    const initial = (name: 'initialA' | 'initialB') =>
      args[name] === undefined ? DEFAULT_PELU_INITIAL : checkNumber('PELU', name, args[name], { min: PELU_MIN_PARAMETER });
    this.initialA = initial('initialA');
    this.initialB = initial('initialB');
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.a = this.addParameter('a', inputShape, false, this.initialA);
    this.b = this.addParameter('b', inputShape, false, this.initialB);
    this.built = true;
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    void kwargs;
    const aRaw = builtWeight('PELU', this.a).read();
    const bRaw = builtWeight('PELU', this.b).read();
    if (hasHostKernel(KERNEL)) return runHostKernel(KERNEL, { x, a: aRaw, b: bRaw }) as tf.Tensor;
    return peluOps(x, atLeastMin(aRaw), atLeastMin(bRaw));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initialA: this.initialA, initialB: this.initialB };
  }
}
tf.serialization.registerClass(PELU);

/**
 * a * elu(x / b) for bounded a, b, with a hand-written gradient that reuses the forward values
 * (z = x / b, e = elu(z)): g = EluGrad(dy, e); dx = g a / b; da = sum(dy e); db = -(a / b) sum(g z).
 * Fewer kernels than the gradient tfjs derives from the composition.
 */
const peluOps = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, a, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const r = tf.reciprocal(b);
  const z = tf.mul(x, r);
  const e = tf.elu(z);
  save([z, e, a, r]);
  return {
    value: tf.mul(e, a),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [zs, es, as, rs] = saved;
      const g = tf.engine().runKernel('EluGrad', { dy, y: es }) as tf.Tensor;
      const ar = tf.mul(as, rs);
      return [tf.mul(g, ar), tf.sum(tf.mul(dy, es)), tf.neg(tf.mul(tf.sum(tf.mul(g, zs)), ar))];
    },
  };
}) as (x: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * PELU on the cpu backend, one loop each way, and on wasm in WebAssembly SIMD kernels
 * (simd/wat_elu.ts; without SIMD, the tfjs ops above): the inputs are the stored a, b, bounded
 * below by 0.1 inside the kernel. The gradient
 * reads the saved output: for x <= 0, exp(x / b) = y / a + 1. The gradients of a and b get the
 * projection rule of atLeastMin below.
 */
const KERNEL = 'TfjsActivationsPELU';
const KERNEL_GRAD = 'TfjsActivationsPELUGrad';
const MIN32 = Math.fround(PELU_MIN_PARAMETER);

registerHostKernel({
  name: KERNEL,
  wasmNeedsSimd: true,
  inputs: ['x', 'a', 'b'],
  outputShapes: ([x]) => [x],
  simd: ({ kernels, inputs: [x], outputs: [y], shapes: [shape], values }) =>
    kernels.pelu(x, y, tf.util.sizeFromShape(shape), Math.max(values(1)[0], MIN32), 1 / Math.max(values(2)[0], MIN32)),
  compute: ({ inputs: [x, aValues, bValues], outputs: [y] }) => {
    const a = Math.max(aValues[0], MIN32);
    const inv = 1 / Math.max(bValues[0], MIN32);
    for (let i = 0; i < x.length; i++) {
      const z = x[i] * inv;
      const m = +(z > 0);
      const r = a * (z * m + Math.expm1(z * (1 - m)));
      y[i] = r === r || z !== z ? r : z > 0 ? a * z : a * Math.expm1(z);
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  wasmNeedsSimd: true,
  inputs: ['dy', 'x', 'y', 'a', 'b'],
  outputShapes: ([dy, , , a, b]) => [dy, a, b],
  simd: ({ kernels, inputs: [dy, x, y], outputs: [dx, da, db], shapes: [shape], values, buffer }) => {
    const aRaw = values(3)[0];
    const bRaw = values(4)[0];
    const a = Math.max(aRaw, MIN32);
    const inv = 1 / Math.max(bRaw, MIN32);
    // The kernel stores the two sums (float64, rounded once) as the gradients of a and b.
    kernels.pelu_grad(dy, x, y, dx, da, db, tf.util.sizeFromShape(shape), a, inv, -a * inv * inv);
    const heap = buffer();
    const daView = new Float32Array(heap, da, 1);
    const dbView = new Float32Array(heap, db, 1);
    storeBoundedGrads(aRaw, bRaw, daView[0], dbView[0], daView, dbView);
  },
  compute: ({ inputs: [dy, x, y, aValues, bValues], outputs: [dx, da, db] }) => {
    const a = Math.max(aValues[0], MIN32);
    const inv = 1 / Math.max(bValues[0], MIN32);
    const invA = 1 / a;
    const scale = a * inv;
    let sumA = 0;
    let sumB = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const g = dy[i];
      const e = y[i] * invA;
      // A select: m + (1 - m) (e + 1) is NaN at x = Infinity (0 * Infinity).
      const gz = v > 0 ? g : g * (e + 1);
      dx[i] = gz * scale;
      sumA += g * e;
      sumB += gz * v;
    }
    storeBoundedGrads(aValues[0], bValues[0], sumA, -scale * inv * sumB, da, db);
  },
});

/** The gradients of a and b with the projection rule of atLeastMin (below). */
function storeBoundedGrads(a: number, b: number, gradA: number, gradB: number, da: Float32Array, db: Float32Array): void {
  da[0] = a < MIN32 && gradA > 0 ? 0 : gradA;
  db[0] = b < MIN32 && gradB > 0 ? 0 : gradB;
}

registerHostGradientKernel(KERNEL, KERNEL_GRAD, ['y']);

/**
 * max(w, 0.1) for a parameter w, with the gradient of a projected step: the incoming gradient g
 * passes unchanged, except where w < 0.1 and g > 0 (a descent step that would lower w further),
 * where it is 0.
 */
const atLeastMin = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [w, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([w]);
  return {
    value: tf.maximum(w, PELU_MIN_PARAMETER),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [wSaved] = saved;
      const blocked = tf.logicalAnd(tf.less(wSaved, PELU_MIN_PARAMETER), tf.greater(dy, 0));
      return tf.where(blocked, tf.zerosLike(dy), dy);
    },
  };
}) as (w: tf.Tensor) => tf.Tensor;

/**
 * Creates a {@link PELU} layer (Trottier et al. 2017): (a/b)x for x >= 0, a(exp(x/b) - 1) for
 * x < 0, with learnable a, b > 0 (initial 1).
 */
export function pelu(args?: PELUArgs): PELU {
  return new PELU(args);
}
