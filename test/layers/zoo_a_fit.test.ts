import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, createActivation } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

const NAMES = ['msaf', 'msaf-symmetric', 'adaptive-tanh', 'elu-alpha', 'celu', 'tlu', 'swish-beta', 'snake', 'pelu', 'rrelu'];

describe.each(BACKENDS)('zoo-a activations in model.fit on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(NAMES)('%s: the loss goes down and its learnable parameters move', async (name) => {
    const activation = createActivation(name, { name: 'act' });
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        activation,
        tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: 'meanSquaredError' });
    const x = tf.randomNormal([64, 4], 0, 1, 'float32', 3);
    const y = tf.tidy(() => x.sum(1, true).sin());
    const before = activation.trainableWeights.map((w) => Array.from(w.read().dataSync()));
    const history = await model.fit(x, y, { epochs: 6, batchSize: 16, verbose: 0, shuffle: false });
    const losses = history.history.loss as number[];
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
    expect(activation.trainableWeights.length > 0).toBe(activationEntry(name).learnable);
    activation.trainableWeights.forEach((w, i) => expect(Array.from(w.read().dataSync())).not.toEqual(before[i]));
  });
});
