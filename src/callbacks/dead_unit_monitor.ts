import * as tf from '@tensorflow/tfjs';
import {
  DEFAULT_PROBE_BATCH_SIZE,
  DeadUnitProbe,
  meanFraction,
  type DeadUnitFractions,
} from '../diagnostics/dead_units.js';
import { checkNumber, describe } from '../layers/common.js';
import type { EpochLogs } from './logs.js';

/** The epoch-log key {@link DeadUnitMonitor} writes: the mean dead fraction over the measured layers. */
export const DEAD_FRACTION_KEY = 'dead_fraction';

/** Arguments of {@link DeadUnitMonitor}. */
export interface DeadUnitMonitorArgs {
  /**
   * The probe data: one tensor per model input, of the model's input shape (e.g. 1,000 held-out
   * images). Required. The monitor reads it and never disposes it: keep it alive during `fit`.
   */
  inputs: tf.Tensor | tf.Tensor[];
  /** Epochs between measurements: a measurement follows every epoch whose 1-based number is a multiple of `every`. Integer >= 1; default 1. */
  every?: number;
  /** Samples per forward pass of the measurement (see `deadUnitFractions`). Integer >= 1; default 1000. */
  batchSize?: number;
  /** Where the warning about a model with nothing to measure goes. Default: `console.warn`. */
  warn?: (message: string) => void;
}

/** One measurement of {@link DeadUnitMonitor}. */
export interface DeadUnitRecord {
  /** The 0-based epoch index tfjs reports (counting from `initialEpoch`). */
  epoch: number;
  /** Per-layer dead fractions, as `deadUnitFractions` returns them. */
  fractions: DeadUnitFractions;
  /** Their mean over layers: the value written to `logs.dead_fraction`. */
  mean: number;
}

const OWN_ARGS = ['inputs', 'every', 'batchSize', 'warn'];

/**
 * A tfjs callback that measures, after every `every`-th epoch, the fraction of units of each
 * activation layer that never fire on the probe `inputs` (see `deadUnitFractions`: units whose
 * pre-activation is <= 0 for every probe sample; for ReLU, dead units).
 *
 * - `history` keeps one {@link DeadUnitRecord} per measurement, with the per-layer fractions. It
 *   accumulates over several `fit` calls; empty it with `monitor.history.length = 0`.
 * - `logs.dead_fraction` is set to the mean over layers, in the logs object tfjs hands to the
 *   callbacks after this one and to its `History` (tfjs passes one object along the list and runs
 *   its History last), so `(await model.fit(...)).history.dead_fraction` holds one value per
 *   epoch. On epochs without a measurement (every > 1) it is NaN, so that the History arrays
 *   stay aligned with the epochs.
 * - Callback order matters: callbacks listed before this one do not see `dead_fraction`. Put the
 *   monitor first when another callback (e.g. `tf.callbacks.earlyStopping({monitor:
 *   'dead_fraction'})`) reads it.
 * - The measurement runs between epochs, in inference mode, `batchSize` samples at a time; no
 *   work per batch. It costs one forward pass over `inputs` per measurement.
 * - A model with no measured activation layer gets one warning at the start of training, and
 *   neither `history` nor the logs change.
 *
 * tfjs cannot mix Callback instances with plain `{onEpochEnd}` objects in one array: wrap plain
 * hooks in `new tf.CustomCallback({...})`.
 *
 * @example
 * ```ts
 * const monitor = deadUnitMonitor({inputs: xTest.slice(0, 1000)});
 * const h = await model.fit(xs, ys, {epochs: 5, callbacks: [monitor]});
 * h.history.dead_fraction;      // [0.12, 0.15, ...]
 * monitor.history[0].fractions; // {dense_Dense1: 0.2, ...}
 * ```
 */
export class DeadUnitMonitor extends tf.Callback {
  /** Epochs between measurements. */
  readonly every: number;
  /** Samples per forward pass. */
  readonly batchSize: number;
  /** One record per measurement, oldest first. */
  readonly history: DeadUnitRecord[] = [];
  private readonly inputs: tf.Tensor | tf.Tensor[];
  private readonly warn: (message: string) => void;
  private probe: DeadUnitProbe | null = null;

  /**
   * @throws Error when `inputs` is missing or not a tf.Tensor (or an array of them), when `every`
   *   or `batchSize` is not an integer >= 1, or when an argument name is unknown.
   */
  constructor(args: DeadUnitMonitorArgs) {
    super();
    if (args == null || typeof args !== 'object') {
      throw new Error(`deadUnitMonitor: args must be an object with 'inputs', got ${describe(args)}.`);
    }
    for (const key of Object.keys(args)) {
      if (!OWN_ARGS.includes(key)) {
        throw new Error(`deadUnitMonitor: unknown argument '${key}'. Allowed: ${OWN_ARGS.join(', ')}.`);
      }
    }
    const { inputs } = args;
    const isTensors = inputs instanceof tf.Tensor || (Array.isArray(inputs) && inputs.length > 0 && inputs.every((t) => t instanceof tf.Tensor));
    if (!isTensors) {
      throw new Error(`deadUnitMonitor: inputs must be a tf.Tensor (or one per model input), got ${describe(inputs)}.`);
    }
    this.inputs = inputs;
    this.every = checkCount('every', args.every ?? 1);
    this.batchSize = checkCount('batchSize', args.batchSize ?? DEFAULT_PROBE_BATCH_SIZE);
    if (args.warn !== undefined && typeof args.warn !== 'function') {
      throw new Error(`deadUnitMonitor: warn must be a function, got ${describe(args.warn)}.`);
    }
    this.warn = args.warn ?? ((message) => console.warn(message));
  }

  /**
   * Finds the activation layers of the model being fitted and checks `inputs` against its input
   * shape. @throws Error naming the expected and actual shapes, which stops `fit` before training.
   */
  override async onTrainBegin(): Promise<void> {
    if (this.probe?.model !== this.model) this.probe = new DeadUnitProbe(this.model);
    this.probe.checkInputs(this.inputs);
    if (this.probe.sites.length === 0) {
      this.warn(`deadUnitMonitor: model '${this.model.name}' has no activation layer to measure; the callback does nothing.`);
    }
  }

  override async onEpochEnd(epoch: number, logs?: EpochLogs): Promise<void> {
    const probe = this.probe;
    if (probe === null || probe.sites.length === 0) return;
    if ((epoch + 1) % this.every !== 0) {
      if (logs != null) logs[DEAD_FRACTION_KEY] = NaN;
      return;
    }
    const fractions = await probe.measure(this.inputs, { batchSize: this.batchSize });
    const mean = meanFraction(fractions);
    this.history.push({ epoch, fractions, mean });
    if (logs != null) logs[DEAD_FRACTION_KEY] = mean;
  }
}

function checkCount(argName: string, value: unknown): number {
  return checkNumber('deadUnitMonitor', argName, value, { min: 1, integer: true });
}

/**
 * Creates a {@link DeadUnitMonitor}: after every `every`-th epoch, measures the dead fraction of
 * each activation layer on `inputs`, adds their mean to the epoch logs as `dead_fraction`, and
 * keeps the per-layer values in `history`.
 */
export function deadUnitMonitor(args: DeadUnitMonitorArgs): DeadUnitMonitor {
  return new DeadUnitMonitor(args);
}
