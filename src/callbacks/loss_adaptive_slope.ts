import * as tf from '@tensorflow/tfjs';
import { AReLU } from '../layers/arelu.js';
import { checkNumber, describe, fitsFloat32, FLOAT32_MIN_NORMAL } from '../layers/common.js';
import { logValue, type EpochLogs } from './logs.js';

/** Arguments of {@link LossAdaptiveSlope}. */
export interface LossAdaptiveSlopeArgs {
  /**
   * The epoch-log key whose value becomes the slope. Default `'loss'` (the epoch's mean training
   * loss, as in the paper); `'val_loss'` uses the validation loss instead.
   */
  monitor?: string;
  /**
   * The largest slope the callback sets: a larger monitored value sets this one instead. Default
   * `Infinity` (no cap: the paper's rule). The paper's rule gives a slope above 1 whenever an
   * epoch's loss exceeds 1 (a hard problem, a high learning rate, few samples), which makes the
   * negative side steeper than the positive one and can derail the next epoch; `maxSlope: 1`
   * keeps AReLU between a ReLU and the identity. A finite number >= 0, or `Infinity`.
   */
  maxSlope?: number;
  /**
   * Where warnings go (a value that cannot be a slope, a model without AReLU layers, the first
   * slope above 1 when there is no cap). Default: `console.warn`.
   */
  warn?: (message: string) => void;
}

/**
 * The training rule of Atoum's AReLU as a tfjs callback: at the end of every epoch it sets the
 * slope l of every {@link AReLU} layer of the model being fitted (nested models included) to the
 * value of `logs[monitor]`, by default that epoch's training loss. The paper's algorithm (its
 * Fig. 7, step 6.2): "Update AReLU parameter = new Loss value".
 *
 * - No work per batch and no read from the device per batch: one write per AReLU layer per epoch.
 * - A monitored value that is missing, not a number, NaN, infinite or negative never becomes the
 *   slope: the slope in effect stays and one warning names the epoch and the value. 0 and values
 *   above 1 are valid slopes and are applied (an early epoch's loss can exceed 1), up to
 *   `maxSlope`; without a cap, the first slope above 1 of a training run gets one warning.
 * - A model with no AReLU layer gets one warning at the start of training.
 *
 * Works with `model.fit` and `model.fitDataset`, beside other `tf.Callback` instances such as
 * `tf.callbacks.earlyStopping()`. tfjs cannot mix Callback instances with plain `{onEpochEnd}`
 * objects in one array: wrap plain hooks in `new tf.CustomCallback({...})`.
 *
 * Source: I. A. Atoum, "Adaptive Rectified Linear Unit (AReLU) for Classification Problems to
 * Solve Dying Problem in Deep Learning", IJACSA 14(2), 2023.
 */
export class LossAdaptiveSlope extends tf.Callback {
  /** The log key read at each epoch end. */
  readonly monitor: string;
  private readonly warn: (message: string) => void;

  /** The cap on the slope (`Infinity`: none). */
  readonly maxSlope: number;
  private warnedAboveOne = false;

  /**
   * @throws Error when `args` is not an object, `monitor` is not a non-empty string, `maxSlope` is
   *   not a number >= 0 (finite, or Infinity), `warn` is not a function or an argument name is unknown.
   */
  constructor(args: LossAdaptiveSlopeArgs = {}) {
    super();
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      throw new Error(`lossAdaptiveSlope: args must be an object such as {monitor: 'loss'}, got ${describe(args)}.`);
    }
    for (const key of Object.keys(args)) {
      if (!['monitor', 'maxSlope', 'warn'].includes(key)) {
        throw new Error(`lossAdaptiveSlope: unknown argument '${key}'. Allowed: monitor, maxSlope, warn.`);
      }
    }
    const monitor = args.monitor ?? 'loss';
    if (typeof monitor !== 'string' || monitor.length === 0) {
      throw new Error(`lossAdaptiveSlope: monitor must be a non-empty log key such as 'loss', got ${describe(monitor)}.`);
    }
    if (args.warn !== undefined && typeof args.warn !== 'function') {
      throw new Error(`lossAdaptiveSlope: warn must be a function, got ${describe(args.warn)}.`);
    }
    const maxSlope = args.maxSlope === undefined ? Infinity : args.maxSlope;
    this.monitor = monitor;
    this.maxSlope = maxSlope === Infinity ? Infinity : checkNumber('lossAdaptiveSlope', 'maxSlope', maxSlope, { min: 0 });
    this.warn = args.warn ?? ((message) => console.warn(message));
  }

  override async onTrainBegin(): Promise<void> {
    this.warnedAboveOne = false;
    if (findAReLULayers(this.model).length === 0) {
      this.warn(
        `lossAdaptiveSlope: model '${this.model.name}' has no AReLU layer; the callback does nothing.`,
      );
    }
  }

  override async onEpochEnd(epoch: number, logs?: EpochLogs): Promise<void> {
    const layers = findAReLULayers(this.model);
    if (layers.length === 0) return;
    const raw = logs?.[this.monitor];
    const value = await logValue(raw);
    // Finite as float32 too: the slope is a float32 weight.
    if (typeof value !== 'number' || !fitsFloat32(value) || value < 0) {
      const shown = raw === undefined ? 'missing' : describe(value);
      this.warn(
        `lossAdaptiveSlope: epoch ${epoch + 1}: '${this.monitor}' is ${shown}, not a finite number >= 0 that float32 can hold; ` +
          `the slope stays at ${layers[0].getSlope()}.`,
      );
      return;
    }
    const slope = Math.min(value, this.maxSlope);
    if (slope > 1 && this.maxSlope === Infinity && !this.warnedAboveOne) {
      this.warnedAboveOne = true;
      this.warn(
        `lossAdaptiveSlope: epoch ${epoch + 1}: '${this.monitor}' is ${value}, so the slope becomes ${slope}, above 1 ` +
          `(the negative side steeper than the positive one, as the paper's rule gives); lossAdaptiveSlope({maxSlope: 1}) caps it.`,
      );
    }
    // A loss below float32's smallest normal number (1.2e-38) is 0 for a slope: the layer
    // rejects subnormal slopes, and training must not stop on it.
    const stored = slope < FLOAT32_MIN_NORMAL ? 0 : slope;
    for (const layer of layers) layer.setSlope(stored);
  }
}

/**
 * Whether `layer` is an AReLU layer: an instance of this copy's class, or of another copy of this
 * package loaded in the same process (an ESM `import` and a CommonJS `require` each load their own
 * copy, and tfjs deserializes into the class registered last), recognised by its class name and
 * its slope methods.
 */
function isAReLU(layer: tf.layers.Layer): layer is AReLU {
  if (layer instanceof AReLU) return true;
  const candidate = layer as unknown as Partial<Pick<AReLU, 'getSlope' | 'setSlope'>>;
  return layer.getClassName() === AReLU.className && typeof candidate.setSlope === 'function' && typeof candidate.getSlope === 'function';
}

/**
 * Every {@link AReLU} layer of `model`, depth first, including those inside nested models
 * (a Sequential or functional model used as a layer), also those of another copy of this package.
 */
export function findAReLULayers(model: tf.LayersModel | undefined): AReLU[] {
  const found: AReLU[] = [];
  const visit = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      if (isAReLU(layer)) found.push(layer);
      const inner = (layer as unknown as { layers?: unknown }).layers;
      if (Array.isArray(inner)) visit(inner as tf.layers.Layer[]);
    }
  };
  if (model != null) visit(model.layers);
  return found;
}

/** Creates a {@link LossAdaptiveSlope} callback: sets every AReLU slope to `logs[monitor]` after each epoch. */
export function lossAdaptiveSlope(args?: LossAdaptiveSlopeArgs): LossAdaptiveSlope {
  return new LossAdaptiveSlope(args);
}
