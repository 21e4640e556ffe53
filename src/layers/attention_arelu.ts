import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostGradientKernel, registerHostKernel, runHostKernel } from '../kernels/host_kernels.js';
import { checkArgNames, checkNumber, layerArgs, floatInput, readWeight, type Kwargs, type LayerArgs } from './common.js';

/** Initial alpha, as in the authors' code (Chen, Li, Xu 2020: `AReLU(alpha=0.90, beta=2.0)`). */
export const DEFAULT_ATTENTION_ARELU_ALPHA = 0.9;
/** Initial beta, as in the authors' code (Chen, Li, Xu 2020). */
export const DEFAULT_ATTENTION_ARELU_BETA = 2.0;
/** C(alpha) clamps alpha to [ATTENTION_ARELU_ALPHA_MIN, ATTENTION_ARELU_ALPHA_MAX]. */
export const ATTENTION_ARELU_ALPHA_MIN = 0.01;
/** C(alpha) clamps alpha to [ATTENTION_ARELU_ALPHA_MIN, ATTENTION_ARELU_ALPHA_MAX]. */
export const ATTENTION_ARELU_ALPHA_MAX = 0.99;

/** Arguments of the {@link AttentionAReLU} layer: the usual tfjs layer arguments plus the ones below. */
export interface AttentionAReLUArgs extends LayerArgs {
  /**
   * Initial value of the learnable alpha, which scales the negative part after clamping to
   * [0.01, 0.99]. A finite number in [0.01, 0.99] (outside it alpha would start with a zero gradient).
   * Default: 0.9 (the authors' code).
   */
  initialAlpha?: number;
  /**
   * Initial value of the learnable beta; the positive part is scaled by 1 + sigmoid(beta).
   * A finite number. Default: 2.0 (the authors' code).
   */
  initialBeta?: number;
}

const OWN_ARGS = ['initialAlpha', 'initialBeta'] as const;
const CLASS = 'AttentionAReLU';

/**
 * Attention-based Rectified Linear Unit of Chen, Li and Xu: element-wise
 *
 *     f(x) = (1 + sigmoid(beta)) * x   for x > 0
 *     f(x) = C(alpha) * x              for x <= 0,     C(alpha) = min(max(alpha, 0.01), 0.99)
 *
 * i.e. ReLU plus an element-wise sign-based attention map that amplifies positive inputs by a
 * factor in (1, 2) and keeps a fraction in [0.01, 0.99] of negative ones. alpha and beta are two
 * trainable float32 scalar weights (`alpha`, initial 0.9; `beta`, initial 2.0): two parameters
 * per layer, as in the paper.
 *
 * Derivatives: df/dx = 1 + sigmoid(beta) for x > 0 and C(alpha) for x <= 0 (the negative branch,
 * also at x = 0); df/dbeta = sigmoid'(beta) * x for x > 0; df/dalpha = x for x <= 0 while
 * 0.01 <= alpha <= 0.99 and 0 outside. The clamp's gradient is the one of the authors' PyTorch
 * code (`torch.clamp`, whose backward passes the gradient where min <= alpha <= max, bounds
 * included, and zero elsewhere); tfjs' `clipByValue` has the same rule. Consequence, as in the
 * authors' code: once an optimizer step takes alpha out of [0.01, 0.99], alpha gets no gradient
 * from the loss and stays where it is (C(alpha) then sits at the bound).
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: D. Chen, J. Li, K. Xu, "AReLU: Attention-based Rectified Linear Unit", arXiv:2006.13858,
 * 2020 (the defaults and the clamp range are those of the authors' code, github.com/densechen/AReLU).
 *
 * Not to be confused with Atoum's loss-adaptive {@link AReLU} (2023), which this library offers
 * under the class name `AReLU`.
 *
 * @example
 * ```ts
 * const model = tf.sequential({layers: [
 *   tf.layers.dense({inputShape: [784], units: 512}), attentionArelu(),
 *   tf.layers.dense({units: 10, activation: 'softmax'})]});
 * ```
 */
export class AttentionAReLU extends tf.layers.Layer {
  /** @nocollapse */
  static className = CLASS;

  private readonly initialAlpha: number;
  private readonly initialBeta: number;
  private alpha: tf.LayerVariable | null = null;
  private beta: tf.LayerVariable | null = null;

  /**
   * @throws Error when `initialAlpha` is not a finite number in [0.01, 0.99], when `initialBeta`
   *   is not a finite number, or when `args` holds an argument name the layer does not know.
   */
  constructor(args: AttentionAReLUArgs = {}) {
    super(layerArgs(CLASS, args));
    checkArgNames(CLASS, args, OWN_ARGS);
    this.initialAlpha =
      args.initialAlpha === undefined
        ? DEFAULT_ATTENTION_ARELU_ALPHA
        : checkNumber(CLASS, 'initialAlpha', args.initialAlpha, {
            min: ATTENTION_ARELU_ALPHA_MIN,
            max: ATTENTION_ARELU_ALPHA_MAX,
          });
    this.initialBeta =
      args.initialBeta === undefined ? DEFAULT_ATTENTION_ARELU_BETA : checkNumber(CLASS, 'initialBeta', args.initialBeta);
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    void inputShape;
    this.alpha = this.addWeight('alpha', [], 'float32', tf.initializers.constant({ value: this.initialAlpha }));
    this.beta = this.addWeight('beta', [], 'float32', tf.initializers.constant({ value: this.initialBeta }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return tf.tidy(() => {
      const x = floatInput(CLASS, inputs);
      const alpha = readWeight(CLASS, this.alpha);
      const beta = readWeight(CLASS, this.beta);
      if (hasHostKernel(KERNEL)) return runHostKernel(KERNEL, { x, alpha, beta }) as tf.Tensor;
      const negScale = tf.clipByValue(alpha, ATTENTION_ARELU_ALPHA_MIN, ATTENTION_ARELU_ALPHA_MAX);
      const posScale = tf.add(1, tf.sigmoid(beta));
      // prelu(x, c/s) * s is s*x for x > 0 and c*x for x <= 0: two element-wise ops on the input
      // (prelu's gradient takes the negative branch at x = 0, as the formula does).
      return tf.mul(tf.prelu(x, tf.div(negScale, posScale)), posScale);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initialAlpha: this.initialAlpha, initialBeta: this.initialBeta };
  }
}
tf.serialization.registerClass(AttentionAReLU);

/**
 * The layer on the cpu and wasm backends, one loop each way: y = x * (c + (s - c) [x > 0]) with
 * c = C(alpha) and s = 1 + sigmoid(beta); dx = dy * (c + (s - c) [x > 0]); the gradient of alpha
 * is the sum of dy * x over x <= 0 where alpha is inside [0.01, 0.99] (bounds included, as tfjs'
 * clipByValue gradient), 0 outside; that of beta is sigmoid'(beta) times the sum of dy * x over x > 0.
 */
const KERNEL = 'TfjsActivationsAttentionAReLU';
const KERNEL_GRAD = 'TfjsActivationsAttentionAReLUGrad';

// The clamp bounds as float32, as tfjs compares them with the float32 weight.
const MIN32 = Math.fround(ATTENTION_ARELU_ALPHA_MIN);
const MAX32 = Math.fround(ATTENTION_ARELU_ALPHA_MAX);

function scales(alpha: number, beta: number): { neg: number; pos: number; sig: number } {
  const sig = 1 / (1 + Math.exp(-beta));
  return { neg: Math.min(Math.max(alpha, MIN32), MAX32), pos: 1 + sig, sig };
}

registerHostKernel({
  name: KERNEL,
  inputs: ['x', 'alpha', 'beta'],
  outputShapes: ([x]) => [x],
  compute: ({ inputs: [x, alpha, beta], outputs: [y] }) => {
    const { neg, pos } = scales(alpha[0], beta[0]);
    const gap = pos - neg;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = v * (neg + gap * +(v > 0));
    }
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  inputs: ['dy', 'x', 'alpha', 'beta'],
  outputShapes: ([dy, , alpha, beta]) => [dy, alpha, beta],
  compute: ({ inputs: [dy, x, alpha, beta], outputs: [dx, dAlpha, dBeta] }) => {
    const { neg, pos, sig } = scales(alpha[0], beta[0]);
    const gap = pos - neg;
    let sumPos = 0;
    let sumAll = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const m = +(v > 0);
      const g = dy[i];
      dx[i] = g * (neg + gap * m);
      const gv = g * v;
      sumAll += gv;
      sumPos += gv * m;
    }
    const a = alpha[0];
    const inside = a >= MIN32 && a <= MAX32;
    dAlpha[0] = inside ? sumAll - sumPos : 0;
    dBeta[0] = sig * (1 - sig) * sumPos;
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD);

/**
 * Creates an {@link AttentionAReLU} layer (Chen, Li, Xu 2020): (1 + sigmoid(beta)) x for x > 0,
 * clamp(alpha, 0.01, 0.99) x otherwise, with trainable scalars alpha (0.9) and beta (2.0).
 */
export function attentionArelu(args?: AttentionAReLUArgs): AttentionAReLU {
  return new AttentionAReLU(args);
}
