import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReferenceMLP, trainClassifier } from '../../src/node/index.js';
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
