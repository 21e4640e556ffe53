import * as tf from '@tensorflow/tfjs';
import {
  hasHostKernel,
  registerHostGradient,
  registerHostKernel,
  runHostKernel,
  wasmScalar,
  wasmSignScale,
} from '../kernels/host_kernels.js';
import { checkArgNames, checkNumber, layerArgs, singleInput, type Kwargs, type LayerArgs } from './common.js';

/** Default initial slope l, as in Atoum (2023): "The function starts with any initial l value; say 0.1". */
export const DEFAULT_INITIAL_SLOPE = 0.1;

/** Arguments of the {@link AReLU} layer: the usual tfjs layer arguments plus the ones below. */
export interface AReLUArgs extends LayerArgs {
  /**
   * The slope l of the negative part before the first update. A finite number >= 0.
   * Default: 0.1 (the paper's starting value). Negative values are rejected: the paper sets l to
   * a loss, which is never negative, and a negative l would make the negative half rise with |x|
   * (f(-1) > 0). 0 makes the layer a ReLU.
   */
  initialSlope?: number;
}

const OWN_ARGS = ['initialSlope'] as const;

/**
 * Adaptive Rectified Linear Unit (AReLU) of Atoum: element-wise
 *
 *     f(x) = x       for x > 0
 *     f(x) = l * x   for x <= 0
 *
 * with derivative 1 for x > 0 and l for x <= 0 (the paper prints `x` for the negative branch of
 * the derivative; the derivative of l*x is l).
 *
 * The slope l is not learned by gradient descent: it is a single non-trainable float32 scalar
 * weight named `slope`, which the {@link LossAdaptiveSlope} callback sets to the epoch's training
 * loss (categorical cross-entropy) at the end of every epoch. Being a layer weight, it is saved
 * with the model and restored on load; optimizers never touch it.
 *
 * - Input: a tensor of any rank and shape, float32 (int32 or bool inputs are cast to float32).
 * - Output: float32, the same shape as the input.
 *
 * Source: I. A. Atoum, "Adaptive Rectified Linear Unit (AReLU) for Classification Problems to
 * Solve Dying Problem in Deep Learning", International Journal of Advanced Computer Science and
 * Applications (IJACSA) 14(2), 2023, Eq. (6).
 *
 * Not to be confused with Chen et al.'s attention-based AReLU (2020), which this library
 * offers as `AttentionAReLU`.
 *
 * @example
 * ```ts
 * const model = tf.sequential({layers: [
 *   tf.layers.dense({inputShape: [784], units: 512}), arelu(),
 *   tf.layers.dense({units: 10, activation: 'softmax'})]});
 * model.compile({optimizer: 'adamax', loss: 'categoricalCrossentropy'});
 * await model.fit(xs, ys, {epochs: 20, callbacks: [lossAdaptiveSlope()]});
 * ```
 */
export class AReLU extends tf.layers.Layer {
  /** @nocollapse */
  static className = 'AReLU';

  private readonly initialSlope: number;
  private pendingSlope: number;
  private slope: tf.LayerVariable | null = null;

  /**
   * @throws Error when `initialSlope` is not a finite number >= 0, or when `args` holds an
   *   argument name AReLU does not know.
   */
  constructor(args: AReLUArgs = {}) {
    super(layerArgs('AReLU', args));
    checkArgNames('AReLU', args, OWN_ARGS);
    this.initialSlope =
      args.initialSlope === undefined
        ? DEFAULT_INITIAL_SLOPE
        : checkSlope('initialSlope', args.initialSlope);
    this.pendingSlope = this.initialSlope;
    this.supportsMasking = true;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    void inputShape;
    this.slope = this.addWeight(
      'slope',
      [],
      'float32',
      tf.initializers.constant({ value: this.pendingSlope }),
      undefined,
      false,
    );
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return tf.tidy(() => {
      let x = singleInput('AReLU', inputs);
      if (x.dtype !== 'float32') x = tf.cast(x, 'float32');
      // The slope is read from the variable here, so a new value applies at the next batch. On cpu
      // and wasm one JavaScript loop computes the layer (see AReLU_KERNEL below); elsewhere prelu
      // computes x for x > 0 and alpha * x otherwise, with gradient 1 / alpha: exactly Eq. (6).
      const slope = this.slopeVariable().read();
      return hasHostKernel(ARELU_KERNEL) ? (runHostKernel(ARELU_KERNEL, { x, slope }) as tf.Tensor) : tf.prelu(x, slope);
    });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /** The current slope l (a JS number; reads the weight, so do not call it per batch). */
  getSlope(): number {
    if (this.slope == null) return this.pendingSlope;
    return this.slope.read().dataSync()[0];
  }

  /**
   * Sets the slope l used from the next call on.
   * @param value a finite number >= 0 that float32 holds: 0, or from 1.1754943508222875e-38 (the
   *   smallest normal float32) to 3.4028234663852886e+38.
   * @throws Error naming the value when it is not such a number.
   */
  setSlope(value: number): void {
    const v = checkSlope('slope', value);
    if (this.slope == null) {
      this.pendingSlope = v;
      return;
    }
    const slope = this.slope;
    tf.tidy(() => {
      slope.write(tf.scalar(v, 'float32'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initialSlope: this.initialSlope };
  }

  private slopeVariable(): tf.LayerVariable {
    if (this.slope == null) {
      throw new Error('AReLU: the layer is used before build(); call it through a model or apply().');
    }
    return this.slope;
  }
}
tf.serialization.registerClass(AReLU);

/**
 * AReLU on the cpu and wasm backends: y = x * (l + (1 - l) [x > 0]), i.e. x for x > 0 and l*x
 * otherwise (the same values as tf.prelu, NaN for NaN), in one branch-free loop on cpu and with
 * the wasm backend's vectorised Step and Multiply kernels on wasm (wasmSignScale). Its gradient
 * with respect to x is dy * (l + (1 - l) [x > 0]); with respect to l (not needed in training:
 * the slope is not trainable, so tfjs never asks for it) the sum of dy * x over x <= 0. Each is
 * its own kernel, so that training computes only the first.
 */
const ARELU_KERNEL = 'TfjsActivationsAReLU';
const ARELU_GRAD_INPUT = 'TfjsActivationsAReLUGradInput';
const ARELU_GRAD_SLOPE = 'TfjsActivationsAReLUGradSlope';

registerHostKernel({
  name: ARELU_KERNEL,
  inputs: ['x', 'slope'],
  outputShapes: ([x]) => [x],
  wasm: ([x, slope], backend) => wasmSignScale(backend, x, x, wasmScalar(backend, slope)),
  compute: ({ inputs: [x, slope], outputs: [y] }) => {
    const l = slope[0];
    const g = 1 - l;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = v * (l + g * +(v > 0));
    }
  },
});

registerHostKernel({
  name: ARELU_GRAD_INPUT,
  inputs: ['dy', 'x', 'slope'],
  outputShapes: ([dy]) => [dy],
  wasm: ([dy, x, slope], backend) => wasmSignScale(backend, x, dy, wasmScalar(backend, slope)),
  compute: ({ inputs: [dy, x, slope], outputs: [dx] }) => {
    const l = slope[0];
    const g = 1 - l;
    for (let i = 0; i < x.length; i++) dx[i] = dy[i] * (l + g * +(x[i] > 0));
  },
});

registerHostKernel({
  name: ARELU_GRAD_SLOPE,
  inputs: ['dy', 'x'],
  outputShapes: () => [[]],
  compute: ({ inputs: [dy, x], outputs: [ds] }) => {
    let sum = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      sum += dy[i] * v * +(v <= 0);
    }
    ds[0] = sum;
  },
});

registerHostGradient({
  kernelName: ARELU_KERNEL,
  inputsToSave: ['x', 'slope'],
  gradFunc: (dy, saved) => {
    const [x, slope] = saved;
    const g = dy as tf.Tensor;
    return {
      x: () => runHostKernel(ARELU_GRAD_INPUT, { dy: g, x, slope }) as tf.Tensor,
      slope: () => runHostKernel(ARELU_GRAD_SLOPE, { dy: g, x }) as tf.Tensor,
    };
  },
});

function checkSlope(argName: string, value: unknown): number {
  return checkNumber('AReLU', argName, value, { min: 0 });
}

/**
 * Creates an {@link AReLU} layer (Atoum 2023): f(x) = x for x > 0, l*x for x <= 0, with l a
 * non-trainable scalar weight (default 0.1) that {@link lossAdaptiveSlope} sets to the training
 * loss after every epoch.
 */
export function arelu(args?: AReLUArgs): AReLU {
  return new AReLU(args);
}
