import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReferenceMLP, epochPermutation, evaluateClassifier, runExperiment, trainClassifier } from '../../src/node/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { uniform } from '../helpers/numeric.js';

/** 48 images of 8 features in [0, 1) with 3 classes, and a small MLP for them. */
function setup(lr: number, images = uniform(48 * 8, 0, 1, 5)) {
  const model = buildReferenceMLP({ activation: 'relu', hiddenUnits: [16, 16], inputSize: 8, classes: 3, seed: 2 });
  model.compile({ optimizer: tf.train.adamax(lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const train = {
    images: tf.tensor2d(images, [48, 8]),
    labels: tf.oneHot(tf.tensor1d(Array.from({ length: 48 }, (_, i) => i % 3), 'int32'), 3) as tf.Tensor2D,
  };
  return { model, train };
}

describe.each(BACKENDS)('trainClassifier divergence on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('does not flag a run that trains normally', async () => {
    const { model, train } = setup(0.01);
    const result = await trainClassifier(model, train, { epochs: 3, batchSize: 16, seed: 1 });
    expect(result.diverged).toBe(false);
    expect(result.epochs).toHaveLength(3);
  });

  // With lr 1e38 the first Adamax steps overflow the weights to NaN. On wasm tfjs' cross-entropy
  // still reports a finite loss (its clipByValue maps NaN predictions to 1e-7), so the loss alone
  // does not show it: the recorder checks the weights and outputs too.
  it('flags a run whose weights become NaN and stops it after that epoch', async () => {
    const { model, train } = setup(1e38);
    const result = await trainClassifier(model, train, { epochs: 4, batchSize: 16, seed: 1 });
    expect(result.diverged).toBe(true);
    expect(result.epochs).toHaveLength(1);
    expect(model.getWeights().some((w) => Array.from(w.dataSync()).some(Number.isNaN))).toBe(true);
  });

  it('flags a run fed a NaN pixel', async () => {
    const images = uniform(48 * 8, 0, 1, 5);
    images[3] = Number.NaN;
    const { model, train } = setup(0.01, images);
    const result = await trainClassifier(model, train, { epochs: 2, batchSize: 16, seed: 1 });
    expect(result.diverged).toBe(true);
    expect(result.epochs).toHaveLength(1);
  });
});

describe('the training routine names what is wrong with its arguments', () => {
  beforeAll(() => useBackend('cpu'));
  let images: tf.Tensor2D;
  let labels: tf.Tensor2D;
  beforeAll(() => {
    images = tf.ones([4, 8]);
    labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3) as tf.Tensor2D;
  });
  const ok = { epochs: 1, batchSize: 2, seed: 1 };

  it.each([
    [{ ...ok, batchSize: 0 }, /trainClassifier: batchSize must be a finite integer >= 1, got 0/],
    [{ ...ok, epochs: 1.5 }, /trainClassifier: epochs must be a finite integer >= 1, got 1.5/],
    [{ ...ok, seed: Number.NaN }, /trainClassifier: seed must be a finite integer, got NaN/],
    [{ ...ok, shuffle: true }, /trainClassifier: unknown option 'shuffle'. Allowed: epochs, batchSize, seed, validation, callbacks, hooks/],
    [{ ...ok, validation: { imgs: 1 } }, /trainClassifier: validation must be \{images, labels\} with two tf.Tensors, got an object with keys imgs/],
  ])('trainClassifier rejects the options %o', async (options, message) => {
    const { model } = setup(0.01);
    await expect(trainClassifier(model, { images, labels }, options as never)).rejects.toThrow(message);
  });

  it('trainClassifier rejects an empty training set and images and labels of different counts', async () => {
    const { model } = setup(0.01);
    await expect(trainClassifier(model, { images: tf.zeros([0, 8]) as tf.Tensor2D, labels: tf.zeros([0, 3]) as tf.Tensor2D }, ok)).rejects.toThrow(
      /train.images must be \[N, features\] with N >= 1, got shape \[0, 8\]/,
    );
    await expect(trainClassifier(model, { images, labels: labels.slice(0, 2) as tf.Tensor2D }, ok)).rejects.toThrow(
      /train has 4 images but 2 labels \(shapes \[4, 8\] and \[2, 3\]\)/,
    );
  });

  it('evaluateClassifier rejects a batch size of 0, no images and mismatched counts', () => {
    const { model } = setup(0.01);
    expect(() => evaluateClassifier(model, images, labels, 0)).toThrow(/evaluateClassifier: batchSize must be a finite integer >= 1, got 0/);
    expect(() => evaluateClassifier(model, tf.zeros([0, 8]) as tf.Tensor2D, tf.zeros([0, 3]) as tf.Tensor2D)).toThrow(
      /evaluateClassifier: images must be \[N, features\] with N >= 1/,
    );
    expect(() => evaluateClassifier(model, images, labels.slice(0, 3) as tf.Tensor2D)).toThrow(/the data has 4 images but 3 labels/);
  });

  it.each([
    [{ activations: 'relu' }, /buildReferenceMLP: unknown option 'activations'. Allowed: activation, /],
    [{ hiddenUnits: [512, 0] }, /hiddenUnits must be a non-empty array of integers >= 1 .* got \[512, 0\]/],
    [{ hiddenUnits: [] }, /buildReferenceMLP: hiddenUnits must be a non-empty array of integers >= 1 \(e.g. \[512, 512\]\), got \[\]/],
    [{ inputSize: -1 }, /inputSize must be a finite integer >= 1, got -1/],
    [{ seed: Infinity }, /seed must be a finite number, got Infinity/],
    [{ activation: 'reul' }, /Unknown activation "reul". Valid names: arelu/],
  ])('buildReferenceMLP rejects %o', (options, message) => {
    expect(() => buildReferenceMLP(options as never)).toThrow(message);
  });

  it.each([0, -1e-3, Number.NaN])('runExperiment rejects the learning rate %s', async (lr) => {
    const config = { activation: 'relu', seed: 1, epochs: 1, batchSize: 2, lr, initialSlope: 0.1, trainSize: 4, testSize: 4, hiddenBias: 0, stress: false, probeSize: 0 };
    const env = { backend: 'cpu', kernels: null, machine: { cpu: '', cores: 1, node: '', platform: '' }, versions: { tfjs: '', tfjsActivations: '' } };
    await expect(runExperiment(config, { train: { images, labels }, test: { images, labels } }, env)).rejects.toThrow(
      /runExperiment: config.lr must be a finite number > 0, got/,
    );
  });

  it('epochPermutation rejects a size that is not a count', () => {
    expect(() => epochPermutation(-1, 1, 0)).toThrow(/epochPermutation: n must be an integer from 0 to 2\^31 - 1, got -1/);
    expect(Array.from(epochPermutation(0, 1, 0))).toEqual([]);
  });
});
