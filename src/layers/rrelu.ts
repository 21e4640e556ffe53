import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../experiment/shuffle.js';
import {
  hasHostKernel,
  registerHostGradientKernel,
  registerHostKernel,
  runHostKernel,
  runHostKernelFirstOutput,
  wasmSignScale,
} from '../kernels/host_kernels.js';
import { checkArgNames, checkNumber, ElementwiseLayer, type Kwargs, type LayerArgs } from './common.js';

/** Default lower bound l of the divisor: 3, the NDSB winner's value the paper adopts. */
export const DEFAULT_RRELU_LOWER = 3;
/** Default upper bound u of the divisor: 8, the NDSB winner's value the paper adopts. */
export const DEFAULT_RRELU_UPPER = 8;

/** Arguments of the {@link RReLU} layer: the usual tfjs layer arguments plus the ones below. */
export interface RReLUArgs extends LayerArgs {
  /**
   * The lower bound l of the divisor a ~ U(l, u) (the largest slope is 1/l): a finite number >= 1.
   * Default: 3. Note: these are the paper's divisor bounds, not PyTorch's slope bounds.
   */
  lower?: number;
  /**
   * The upper bound u of the divisor (the smallest slope is 1/u): a finite number >= lower.
   * Default: 8, or `lower` when that is larger.
   */
  upper?: number;
  /**
   * A seed for the training-time draws: an integer from 0 to 2^32 - 1 (the state of the mulberry32
   * generator the cpu and wasm kernels use). The n-th training call of the layer uses seed + n
   * (modulo 2^32 there), so runs repeat exactly. Default: none (fresh random draws).
   */
  seed?: number;
}

const OWN_ARGS = ['lower', 'upper', 'seed'] as const;

/**
 * Randomized leaky rectified linear unit (RReLU) of Xu, Wang, Chen and Li: element-wise
 *
 *     training:   f(x) = x for x >= 0,  x / a for x < 0,  a drawn from U(l, u) per element and call
 *     inference:  f(x) = x for x >= 0,  x / ((l + u) / 2) for x < 0
 *
 * On the cpu and wasm backends the divisors are drawn inside the layer's kernel with mulberry32
 * (seeded with seed + n when a seed is given), elsewhere with `tf.randomUniform`: the same
 * distribution, but a given seed gives different draws on those two kinds of backends.
 *
 * Training mode is `kwargs.training === true`, which tfjs passes during `model.fit`; `predict`,
 * `evaluate` and a plain `apply` use the deterministic inference form. Derivative: 1 for x > 0 and
 * the slope in use (1/a, or 2/(l+u)) for x <= 0. Nothing is learned.
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: B. Xu, N. Wang, T. Chen and M. Li, "Empirical Evaluation of Rectified Activations in
 * Convolutional Network", arXiv:1505.00853, 2015. The paper writes leaky units as x / a with
 * a > 1, draws a from U(3, 8) following the Kaggle NDSB winner, and uses x / ((l + u) / 2) at
 * test time; these are the defaults here (slopes between 1/8 and 1/3, test slope 2/11 ~ 0.1818).
 * (Its RReLU equation is printed as a x with l, u in [0, 1), which contradicts its own U(3, 8) and
 * test formula; this layer follows the divisor reading.) PyTorch's `nn.RReLU(lower=1/8,
 * upper=1/3)` instead draws the slope itself uniformly from [1/8, 1/3] and uses the mean slope
 * 11/48 ~ 0.2292 at inference: a different training distribution and a different inference slope.
 */
export class RReLU extends ElementwiseLayer {
  /** @nocollapse */
  static className = 'RReLU';

  private readonly lower: number;
  private readonly upper: number;
  private readonly seed: number | undefined;
  private trainingCalls = 0;

  /**
   * @throws Error when `lower` is not a finite number >= 1, when `upper` is not a finite number
   *   >= lower, when `seed` is not an integer from 0 to 2^32 - 1, or when `args` holds an argument name RReLU
   *   does not know.
   */
  constructor(args: RReLUArgs = {}) {
    super(args);
    checkArgNames('RReLU', args, OWN_ARGS);
    this.lower = args.lower === undefined ? DEFAULT_RRELU_LOWER : checkNumber('RReLU', 'lower', args.lower, { min: 1 });
    this.upper =
      args.upper === undefined
        ? Math.max(DEFAULT_RRELU_UPPER, this.lower)
        : checkNumber('RReLU', 'upper', args.upper, { min: this.lower });
    // Below 2^32: a larger seed would share mulberry32's state with seed - 2^32, and from 2^53 on
    // seed + n would not change at all (the same draws at every training call).
    this.seed = args.seed == null ? undefined : checkNumber('RReLU', 'seed', args.seed, { integer: true, min: 0, max: 2 ** 32 - 1 });
  }

  /** The slope of the negative part at inference, 2 / (l + u). */
  inferenceSlope(): number {
    return 2 / (this.lower + this.upper);
  }

  protected override activate(x: tf.Tensor, kwargs: Kwargs): tf.Tensor {
    const kernels = hasHostKernel(LEAKY_KERNEL);
    if (kwargs.training !== true || this.lower === this.upper) {
      const alpha = this.inferenceSlope();
      return kernels ? (runHostKernel(LEAKY_KERNEL, { x }, { alpha }) as tf.Tensor) : tf.leakyRelu(x, alpha);
    }
    const seed = this.seed === undefined ? undefined : this.seed + this.trainingCalls;
    this.trainingCalls++;
    if (kernels) {
      const attrs = { lower: this.lower, upper: this.upper, seed: seed ?? Math.floor(Math.random() * 2 ** 32) };
      return runHostKernelFirstOutput(TRAIN_KERNEL, { x }, attrs);
    }
    const divisor = tf.randomUniform(x.shape, this.lower, this.upper, 'float32', seed);
    return tf.prelu(x, tf.reciprocal(divisor));
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = { ...super.getConfig(), lower: this.lower, upper: this.upper };
    if (this.seed !== undefined) config.seed = this.seed;
    return config;
  }
}
tf.serialization.registerClass(RReLU);

/**
 * RReLU on the cpu and wasm backends. Inference: a leaky ReLU y = x (alpha + (1 - alpha) [x > 0]),
 * dx = dy (alpha + (1 - alpha) [x > 0]), one loop each (on wasm, its Step and Multiply kernels). Training: one loop draws a ~ U(l, u) per
 * element (mulberry32 from the `seed` attribute) and outputs y and the slopes 1/a used; the
 * gradient, dy (1/a + (1 - 1/a) [x > 0]), reads the saved slopes.
 */
const LEAKY_KERNEL = 'TfjsActivationsLeakyReLU';
const LEAKY_GRAD = 'TfjsActivationsLeakyReLUGrad';
const TRAIN_KERNEL = 'TfjsActivationsRReLUTraining';
const TRAIN_GRAD = 'TfjsActivationsRReLUTrainingGrad';

registerHostKernel({
  name: LEAKY_KERNEL,
  inputs: ['x'],
  outputShapes: ([x]) => [x],
  wasm: ([x], backend, attrs) => wasmSignScale(backend, x, x, attrs.alpha as number),
  compute: ({ inputs: [x], outputs: [y], attrs }) => {
    const alpha = attrs.alpha as number;
    const g = 1 - alpha;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = v * (alpha + g * +(v > 0));
    }
  },
});

registerHostKernel({
  name: LEAKY_GRAD,
  inputs: ['dy', 'x'],
  outputShapes: ([dy]) => [dy],
  wasm: ([dy, x], backend, attrs) => wasmSignScale(backend, x, dy, attrs.alpha as number),
  compute: ({ inputs: [dy, x], outputs: [dx], attrs }) => {
    const alpha = attrs.alpha as number;
    const g = 1 - alpha;
    for (let i = 0; i < x.length; i++) dx[i] = dy[i] * (alpha + g * +(x[i] > 0));
  },
});

registerHostGradientKernel(LEAKY_KERNEL, LEAKY_GRAD);

registerHostKernel({
  name: TRAIN_KERNEL,
  inputs: ['x'],
  outputShapes: ([x]) => [x, x],
  simd: ({ kernels, inputs: [x], outputs: [y, slopes], shapes: [shape], attrs }) => {
    const lower = attrs.lower as number;
    kernels.rrelu_train(x, y, slopes, tf.util.sizeFromShape(shape), attrs.seed as number, lower, (attrs.upper as number) - lower);
  },
  compute: ({ inputs: [x], outputs: [y, slopes], attrs }) => {
    const lower = attrs.lower as number;
    const width = (attrs.upper as number) - lower;
    const random = mulberry32(attrs.seed as number);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      const s = Math.fround(1 / (lower + width * random()));
      slopes[i] = s;
      y[i] = v * (s + (1 - s) * +(v > 0));
    }
  },
});

registerHostKernel({
  name: TRAIN_GRAD,
  inputs: ['dy', 'x', 'slopes'],
  outputShapes: ([dy]) => [dy],
  simd: ({ kernels, inputs: [dy, x, slopes], outputs: [dx], shapes: [shape] }) => kernels.rrelu_train_grad(dy, x, slopes, dx, tf.util.sizeFromShape(shape)),
  compute: ({ inputs: [dy, x, slopes], outputs: [dx] }) => {
    for (let i = 0; i < x.length; i++) {
      const s = slopes[i];
      dx[i] = dy[i] * (s + (1 - s) * +(x[i] > 0));
    }
  },
});

registerHostGradientKernel(TRAIN_KERNEL, TRAIN_GRAD, [null, 'slopes']);

/**
 * Creates an {@link RReLU} layer (Xu et al. 2015): x for x >= 0, x/a for x < 0 with a ~ U(3, 8)
 * in training and a = 5.5 at inference.
 */
export function rrelu(args?: RReLUArgs): RReLU {
  return new RReLU(args);
}
