import * as tf from '@tensorflow/tfjs';
import { hasHostKernel, registerHostGradientKernel, registerHostKernel, runHostKernel } from '../kernels/host_kernels.js';
import { checkArgNames, checkNumber, layerArgs, describe, floatInput, type Kwargs, type LayerArgs } from './common.js';

/**
 * Default number of pieces k per maxout unit: 2, the smallest that makes maxout non-linear. The
 * paper has no single default (it picks k per experiment); 2 also divides any even width, such as
 * the 512 units of this library's reference MLP.
 */
export const DEFAULT_MAXOUT_PIECES = 2;
/** Largest accepted number of pieces. */
export const MAX_MAXOUT_PIECES = 1024;

/** Arguments of the {@link Maxout} layer: the usual tfjs layer arguments plus the one below. */
export interface MaxoutArgs extends LayerArgs {
  /**
   * Number of pieces k: each output unit is the maximum of k consecutive input units of the last
   * axis. An integer in [1, 1024] that divides the last input dimension. Default: 2.
   */
  pieces?: number;
}

const OWN_ARGS = ['pieces'] as const;
const CLASS = 'Maxout';

/**
 * Maxout of Goodfellow et al.: over the last axis, output unit i is
 *
 *     h_i(x) = max_{j = 1..k} z_{i,j},    z_{i,j} = x[..., i*k + j - 1]
 *
 * the maximum of k consecutive input units. In the paper z = x^T W + b is the affine map that
 * precedes it; here that map is the preceding layer (a Dense layer with k * units units), so this
 * layer has no weights. The last dimension shrinks from d to d / k; d must be a multiple of k.
 *
 * Derivative: the gradient flows to the input unit that holds the maximum of its group (tfjs' max
 * gradient sends it to every unit equal to the maximum when there is a tie).
 *
 * - Input: a tensor of rank >= 1 whose last dimension is a multiple of `pieces` (float32; int32 or
 *   bool inputs are cast to float32).
 * - Output: float32, shape [..., d / k].
 *
 * Source: I. J. Goodfellow, D. Warde-Farley, M. Mirza, A. Courville, Y. Bengio, "Maxout Networks",
 * ICML 2013 (arXiv:1302.4389).
 *
 * @example
 * ```ts
 * // 256 maxout units of 2 pieces: the Dense layer computes the 512 pieces.
 * tf.sequential({layers: [tf.layers.dense({inputShape: [784], units: 512}), maxout({pieces: 2})]});
 * ```
 */
export class Maxout extends tf.layers.Layer {
  /** @nocollapse */
  static className = CLASS;

  private readonly pieces: number;

  /**
   * @throws Error when `pieces` is not an integer in [1, 1024], or when `args` holds an argument
   *   name Maxout does not know. Applying the layer to an input whose last dimension is not a
   *   multiple of `pieces` throws an error naming both numbers.
   */
  constructor(args: MaxoutArgs = {}) {
    super(layerArgs(CLASS, args));
    checkArgNames(CLASS, args, OWN_ARGS);
    this.pieces =
      args.pieces === undefined
        ? DEFAULT_MAXOUT_PIECES
        : checkNumber(CLASS, 'pieces', args.pieces, { min: 1, max: MAX_MAXOUT_PIECES, integer: true });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    void kwargs;
    return tf.tidy(() => {
      const x = floatInput(CLASS, inputs);
      const units = this.outputUnits(x.shape) as number;
      if (hasHostKernel(KERNEL)) return runHostKernel(KERNEL, { x }, { pieces: this.pieces }) as tf.Tensor;
      return tf.max(tf.reshape(x, [...x.shape.slice(0, -1), units, this.pieces]), -1);
    });
  }

  /** The input shape with its last dimension d replaced by d / pieces (null stays null). */
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.outputUnits(shape)];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pieces: this.pieces };
  }

  /** d / pieces for a last dimension d; null when d is unknown. */
  private outputUnits(shape: tf.Shape): number | null {
    if (shape.length === 0) {
      throw new Error(`${CLASS}: the input needs at least one axis to take maxima over, got shape ${describe(shape)}.`);
    }
    const d = shape[shape.length - 1];
    if (d == null) return null;
    if (d % this.pieces !== 0) {
      throw new Error(
        `${CLASS}: the last input dimension (${d}) must be a multiple of pieces (${this.pieces}); ` +
          `use ${Math.ceil(d / this.pieces) * this.pieces} or ${Math.floor(d / this.pieces) * this.pieces || this.pieces} units in the layer before.`,
      );
    }
    return d / this.pieces;
  }
}
tf.serialization.registerClass(Maxout);

/**
 * Maxout on the cpu and wasm backends, one loop each way: the maximum of each group of `pieces`
 * consecutive values of the last axis (NaN if the group holds one, as tfjs' cpu max); the
 * gradient, as tfjs' max gradient, passes dy to every element equal to its group's maximum.
 */
const KERNEL = 'TfjsActivationsMaxout';
const KERNEL_GRAD = 'TfjsActivationsMaxoutGrad';

function groupMax(x: Float32Array, start: number, pieces: number): number {
  // Math.max: NaN if any value is NaN, exact (a branch-free a + (b - a) [b > a] is not: with
  // a = -0.5, b = -1e-30 it gives 0, which then matches neither value in the gradient).
  let m = x[start];
  for (let k = 1; k < pieces; k++) m = Math.max(m, x[start + k]);
  return m;
}

registerHostKernel({
  name: KERNEL,
  inputs: ['x'],
  outputShapes: ([x], { pieces }) => [[...x.slice(0, -1), x[x.length - 1] / (pieces as number)]],
  // On wasm, pairs (the default) in the SIMD module; other group sizes in the loop below.
  simd: (args) => {
    if (args.attrs.pieces !== 2) return false; // before reading `outputs`, which allocates them
    args.kernels.maxout2(args.inputs[0], args.outputs[0], tf.util.sizeFromShape(args.shapes[0]) / 2);
  },
  compute: ({ inputs: [x], outputs: [y], attrs }) => {
    const pieces = attrs.pieces as number;
    if (pieces === 2) {
      // The default, spelled out so that the JIT sees two loads per group.
      for (let g = 0; g < y.length; g++) y[g] = Math.max(x[2 * g], x[2 * g + 1]);
      return;
    }
    for (let g = 0, start = 0; g < y.length; g++, start += pieces) y[g] = groupMax(x, start, pieces);
  },
});

registerHostKernel({
  name: KERNEL_GRAD,
  inputs: ['dy', 'x'],
  outputShapes: ([, x]) => [x],
  simd: (args) => {
    if (args.attrs.pieces !== 2) return false;
    const [dy, x] = args.inputs;
    args.kernels.maxout2_grad(dy, x, args.outputs[0], tf.util.sizeFromShape(args.shapes[0])); // n: the outputs (dy)
  },
  compute: ({ inputs: [dy, x], outputs: [dx], attrs }) => {
    const pieces = attrs.pieces as number;
    if (pieces === 2) {
      for (let g = 0; g < dy.length; g++) {
        const a = x[2 * g];
        const b = x[2 * g + 1];
        const m = Math.max(a, b);
        const d = dy[g];
        dx[2 * g] = d * +(a === m);
        dx[2 * g + 1] = d * +(b === m);
      }
      return;
    }
    for (let g = 0, start = 0; g < dy.length; g++, start += pieces) {
      const m = groupMax(x, start, pieces);
      const d = dy[g];
      for (let k = 0; k < pieces; k++) dx[start + k] = d * +(x[start + k] === m);
    }
  },
});

registerHostGradientKernel(KERNEL, KERNEL_GRAD);

/**
 * Creates a {@link Maxout} layer (Goodfellow et al. 2013): the maximum over groups of `pieces`
 * (default 2) consecutive units of the last axis; the output has 1/pieces of the input's units.
 */
export function maxout(args?: MaxoutArgs): Maxout {
  return new Maxout(args);
}
