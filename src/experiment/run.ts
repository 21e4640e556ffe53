import * as tf from '@tensorflow/tfjs';
import { simdKernelRuns } from '../kernels/host_kernels.js';
import { checkNumber } from '../layers/common.js';
import { evaluateClassifier } from './evaluate.js';
import type { RunConfig, RunRecord } from './record.js';
import { buildReferenceMLP } from './reference_mlp.js';
import { trainClassifier, type LabelledImages, type TrainHooks } from './train.js';

/** Where a run happens; stored in its record. */
export interface RunEnvironment {
  backend: string;
  kernels: 'optimized' | 'stock' | null;
  machine: RunRecord['machine'];
  versions: RunRecord['versions'];
}

/** The reference protocol's data: the training set and the test set (validated after every epoch). */
export interface ExperimentData {
  train: LabelledImages;
  test: LabelledImages;
}

/**
 * Runs the reference protocol once (Atoum 2023): builds the 784-512-512-10 MLP with
 * `config.activation` in its hidden layers, compiles it with categorical cross-entropy and
 * Adamax(`config.lr`), trains it for `config.epochs` epochs in batches of `config.batchSize`
 * (AReLU's slope set to the training loss after every epoch), validates on the test set after
 * every epoch, evaluates the test set at the end, and returns the run's record.
 *
 * `callbacks` (e.g. a `deadUnitMonitor`) may be built from the model, hence the factory form.
 * The model and its optimizer are disposed before returning: a grid of runs in one worker does
 * not accumulate tensors.
 * @throws Error naming the setting when `config.lr` is not a finite number > 0, and the errors of
 *   `buildReferenceMLP` and `trainClassifier` for the other settings.
 */
export async function runExperiment(
  config: RunConfig,
  data: ExperimentData,
  env: RunEnvironment,
  options: { hooks?: TrainHooks; callbacks?: (model: tf.LayersModel) => tf.Callback[] } = {},
): Promise<RunRecord> {
  // Adamax with a learning rate of NaN or <= 0 would "train" without an error.
  checkNumber('runExperiment', 'config.lr', config.lr, { min: 0, minExclusive: true });
  const started = new Date();
  const t0 = performance.now();
  const simdRunsBefore = simdKernelRuns();
  const model = buildReferenceMLP({
    activation: config.activation,
    activationArgs: config.activation === 'arelu' ? { initialSlope: config.initialSlope } : undefined,
    seed: config.seed,
    hiddenBias: config.hiddenBias,
  });
  // tfjs' model.dispose() leaves an optimizer passed as an instance alone (isOptimizerOwned is
  // false): its state (Adamax: two accumulators per weight, 5.4 MB for this MLP) is disposed here.
  const optimizer = tf.train.adamax(config.lr);
  try {
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const train = {
      images: data.train.images,
      labels: data.train.labels,
    };
    const result = await trainClassifier(model, train, {
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      validation: data.test,
      callbacks: options.callbacks?.(model),
      hooks: options.hooks,
    });
    const test = evaluateClassifier(model, data.test.images, data.test.labels);
    return {
      format: 1,
      activation: config.activation,
      seed: config.seed,
      backend: env.backend,
      kernels: env.kernels,
      simdKernels: tf.getBackend() === 'wasm' ? simdKernelRuns() > simdRunsBefore : null,
      config,
      epochs: result.epochs,
      test,
      samplesPerSecond: result.samplesPerSecond,
      diverged: result.diverged,
      wallSeconds: (performance.now() - t0) / 1000,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: env.machine,
      versions: env.versions,
    };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
