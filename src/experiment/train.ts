import * as tf from '@tensorflow/tfjs';
import { findAReLULayers, lossAdaptiveSlope } from '../callbacks/loss_adaptive_slope.js';
import { DeadUnitMonitor } from '../callbacks/dead_unit_monitor.js';
import { checkNumber, describe } from '../layers/common.js';
import { logValue, type EpochLogs } from '../callbacks/logs.js';
import type { EpochRecord } from './record.js';
import { epochPermutation } from './shuffle.js';

/** Images float32 [N, features] and one-hot labels float32 [N, classes]. */
export interface LabelledImages {
  images: tf.Tensor2D;
  labels: tf.Tensor2D;
}

/** What the caller sees while a model trains (progress bars, logs). All optional. */
export interface TrainHooks {
  /** Once, before the first epoch. */
  onTrainBegin?: (info: { epochs: number; batchesPerEpoch: number; samples: number }) => void;
  /** After each batch; `loss()` reads that batch's loss (a device read: call it sparingly). */
  onBatchEnd?: (batch: number, loss: () => number | undefined) => void;
  /** After each epoch, with its record. */
  onEpochEnd?: (record: EpochRecord) => void;
}

/** Options of {@link trainClassifier}. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  /** Seed of the per-epoch shuffling. */
  seed: number;
  /** Evaluated after every epoch (the paper validates on the test set). */
  validation?: LabelledImages;
  /** Extra callbacks, run after the AReLU slope callback and before the epoch recorder (so a DeadUnitMonitor's `dead_fraction` reaches the record). */
  callbacks?: tf.Callback[];
  hooks?: TrainHooks;
}

/** The outcome of {@link trainClassifier}. */
export interface TrainResult {
  epochs: EpochRecord[];
  /** Training samples per second over the batches (validation excluded). */
  samplesPerSecond: number;
  /**
   * True when, at the end of an epoch, the training loss, a weight of the model or its output on
   * the first training images was NaN or infinite (training stopped at that epoch). The weights
   * and outputs are checked because a loss can hide NaN: on tfjs' wasm backend, clipByValue maps
   * NaN to its lower bound, so categorical cross-entropy of NaN predictions is -log(1e-7), finite.
   */
  diverged: boolean;
}

/** Training images whose outputs are checked for NaN / infinity after every epoch. */
const DIVERGENCE_PROBE = 32;

/**
 * Trains a compiled classifier the way the paper does: `epochs` passes over `train` in shuffled
 * mini-batches of `batchSize`, the AReLU slope callback attached (it does nothing to a model
 * without AReLU), validation after every epoch. The shuffling is seeded (`seed`, epoch), unlike
 * tfjs' `shuffle: true`, so that a run can be repeated exactly on the same backend.
 *
 * @throws Error naming the option when `epochs` or `batchSize` is not an integer >= 1, `seed` not
 *   a finite integer, an option name is unknown, or `train` / `validation` is not images [N, ...]
 *   with N >= 1 and labels with the same N.
 */
export async function trainClassifier(model: tf.LayersModel, train: LabelledImages, options: TrainOptions): Promise<TrainResult> {
  checkTrainOptions(train, options);
  const { epochs, batchSize, seed, validation, callbacks = [], hooks = {} } = options;
  const samples = train.images.shape[0];
  const batchesPerEpoch = Math.ceil(samples / batchSize);
  let epochIndex = 0;
  const dataset = tf.data.generator(function* batches() {
    const order = epochPermutation(samples, seed, epochIndex++);
    for (let start = 0; start < samples; start += batchSize) {
      const idx = tf.tensor1d(order.subarray(start, start + batchSize), 'int32');
      const xs = tf.gather(train.images, idx);
      const ys = tf.gather(train.labels, idx);
      idx.dispose();
      yield { xs, ys };
    }
  });
  const recorder = new EpochRecorder(hooks, samples, train.images);
  hooks.onTrainBegin?.({ epochs, batchesPerEpoch, samples });
  await model.fitDataset(dataset as unknown as tf.data.Dataset<tf.TensorContainer>, {
    epochs,
    verbose: 0,
    validationData: validation ? [validation.images, validation.labels] : undefined,
    validationBatchSize: 1000,
    // The slope callback only where there is a slope to set (it warns on a model without one).
    callbacks: [...(findAReLULayers(model).length > 0 ? [lossAdaptiveSlope()] : []), ...callbacks, recorder],
  });
  // Per-layer dead fractions, from any DeadUnitMonitor among the callbacks, go into the records.
  for (const monitor of callbacks) {
    if (!(monitor instanceof DeadUnitMonitor)) continue;
    for (const m of monitor.history) {
      const record = recorder.records[m.epoch];
      if (record !== undefined) record.deadFractions = { ...record.deadFractions, ...m.fractions };
    }
  }
  return {
    epochs: recorder.records,
    samplesPerSecond: recorder.trainSeconds > 0 ? recorder.trainedSamples / recorder.trainSeconds : 0,
    diverged: recorder.diverged,
  };
}

/** Builds one {@link EpochRecord} per epoch and stops training when the loss is no longer finite. */
class EpochRecorder extends tf.Callback {
  readonly records: EpochRecord[] = [];
  trainSeconds = 0;
  trainedSamples = 0;
  diverged = false;
  private epochStart = 0;
  private lastBatchEnd = 0;
  private slope: number | null = null;

  constructor(
    private readonly hooks: TrainHooks,
    private readonly samplesPerEpoch: number,
    private readonly images: tf.Tensor2D,
  ) {
    super();
  }

  /**
   * Whether every weight of the model and its output on the first training images are finite:
   * one reduction (x * 0 is 0 for finite x, NaN for NaN and +-Infinity) and one read per epoch.
   */
  private async modelIsFinite(): Promise<boolean> {
    const check = tf.tidy(() => {
      const n = Math.min(DIVERGENCE_PROBE, this.images.shape[0]);
      const output = this.model.predict(this.images.slice([0, 0], [n, -1])) as tf.Tensor | tf.Tensor[];
      const tensors = [...this.model.weights.map((w) => w.read()), ...(Array.isArray(output) ? output : [output])];
      return tf.addN(tensors.map((t) => tf.sum(tf.mul(t, 0))));
    });
    const value = (await check.data())[0];
    check.dispose();
    return value === 0;
  }

  override async onEpochBegin(): Promise<void> {
    const arelus = findAReLULayers(this.model);
    this.slope = arelus.length > 0 ? arelus[0].getSlope() : null;
    this.epochStart = performance.now();
    this.lastBatchEnd = this.epochStart;
  }

  override async onBatchEnd(batch: number, logs?: EpochLogs): Promise<void> {
    this.lastBatchEnd = performance.now();
    const onBatchEnd = this.hooks.onBatchEnd;
    if (onBatchEnd) {
      onBatchEnd(batch, () => {
        const v = logs?.loss;
        if (v instanceof tf.Tensor) return v.isDisposed ? undefined : v.dataSync()[0];
        return typeof v === 'number' ? v : undefined;
      });
    }
  }

  override async onEpochEnd(epoch: number, logs: EpochLogs = {}): Promise<void> {
    const end = performance.now();
    this.trainSeconds += (this.lastBatchEnd - this.epochStart) / 1000;
    this.trainedSamples += this.samplesPerEpoch;
    await resolveLogs(logs);
    const num = async (key: string): Promise<number | null> => {
      const v = await logValue(logs[key]);
      return typeof v === 'number' ? v : null;
    };
    const loss = (await num('loss')) ?? Number.NaN;
    const record: EpochRecord = {
      epoch: epoch + 1,
      loss,
      acc: (await num('acc')) ?? Number.NaN,
      valLoss: await num('val_loss'),
      valAcc: await num('val_acc'),
      slope: this.slope,
      deadFraction: nullIfNaN(await num('dead_fraction')),
      seconds: (end - this.epochStart) / 1000,
    };
    this.records.push(record);
    if (!Number.isFinite(loss) || !(await this.modelIsFinite())) {
      this.diverged = true;
      this.model.stopTraining = true;
    }
    this.hooks.onEpochEnd?.(record);
  }
}

/**
 * Replaces the scalar tensors of epoch logs by their values and disposes them, as tfjs'
 * CustomCallback does. tfjs' History callback, which runs after this one, keeps every epoch's
 * logs until fit returns: left as tensors, four scalars per epoch would pile up in memory.
 */
async function resolveLogs(logs: EpochLogs): Promise<void> {
  for (const [key, value] of Object.entries(logs)) {
    if (!(value instanceof tf.Tensor) || value.isDisposed) continue;
    logs[key] = await logValue(value);
    value.dispose();
  }
}

function nullIfNaN(v: number | null): number | null {
  return v === null || Number.isNaN(v) ? null : v;
}

const TRAIN_OPTIONS = ['epochs', 'batchSize', 'seed', 'validation', 'callbacks', 'hooks'];

function checkTrainOptions(train: LabelledImages, options: TrainOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new Error(`trainClassifier: options must be an object {epochs, batchSize, seed, ...}, got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!TRAIN_OPTIONS.includes(key)) throw new Error(`trainClassifier: unknown option '${key}'. Allowed: ${TRAIN_OPTIONS.join(', ')}.`);
  }
  checkNumber('trainClassifier', 'epochs', options.epochs, { min: 1, integer: true });
  // A batch size of 0 would make the batch generator loop forever.
  checkNumber('trainClassifier', 'batchSize', options.batchSize, { min: 1, integer: true });
  checkNumber('trainClassifier', 'seed', options.seed, { integer: true });
  checkLabelledImages('trainClassifier', 'train', train);
  if (options.validation !== undefined) checkLabelledImages('trainClassifier', 'validation', options.validation);
}

/**
 * Checks that `data` holds images [N, ...] with N >= 1 and labels [N, ...] as tensors; `argName`
 * ('' for none) prefixes the names in the messages.
 * @throws Error naming the function, the argument and the shapes otherwise.
 */
export function checkLabelledImages(fn: string, argName: string, data: unknown): void {
  const d = data as Partial<LabelledImages> | null;
  if (d == null || !(d.images instanceof tf.Tensor) || !(d.labels instanceof tf.Tensor)) {
    const got = d == null || typeof d !== 'object' ? describe(data) : `an object with keys ${Object.keys(d).join(', ') || 'none'}`;
    throw new Error(`${fn}: ${argName} must be {images, labels} with two tf.Tensors, got ${got}.`);
  }
  const n = d.images.shape[0];
  const images = argName === '' ? 'images' : `${argName}.images`;
  if (d.images.rank < 2 || n === 0) {
    throw new Error(`${fn}: ${images} must be [N, features] with N >= 1, got shape [${d.images.shape.join(', ')}].`);
  }
  if (d.labels.shape[0] !== n) {
    throw new Error(
      `${fn}: ${argName === '' ? 'the data has' : `${argName} has`} ${n} images but ${d.labels.shape[0]} labels ` +
        `(shapes [${d.images.shape.join(', ')}] and [${d.labels.shape.join(', ')}]).`,
    );
  }
}
