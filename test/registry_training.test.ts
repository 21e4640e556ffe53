/**
 * The registry as a whole: every name builds the reference MLP (Dense 784-512-act-512-act-10,
 * softmax) and trains it for one short epoch on real MNIST images without NaN. (Sigmoid-like
 * activations are still near chance after 4 batches, so accuracy is not asserted here.)
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReferenceMLP } from '../src/experiment/reference_mlp.js';
import { trainClassifier } from '../src/experiment/train.js';
import { optimizeWasmMatMul } from '../src/kernels/wasm_matmul.js';
import { loadMnist } from '../src/node/mnist.js';
import { activationNames } from '../src/registry.js';
import { useBackend } from './helpers/backends.js';

describe('every registered activation in the reference MLP', () => {
  let data: ReturnType<typeof loadMnist>;
  beforeAll(async () => {
    await useBackend('wasm');
    optimizeWasmMatMul();
    data = loadMnist({ trainSize: 512, testSize: 128 });
  });

  it.each(activationNames())('%s: one epoch of 512 real MNIST images, finite loss, validation loss and weights, no tensor left', async (name) => {
    const before = tf.memory().numTensors;
    const model = buildReferenceMLP({ activation: name, seed: 7 });
    const optimizer = tf.train.adamax(0.001);
    model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const result = await trainClassifier(model, data.train, { epochs: 1, batchSize: 128, seed: 7, validation: data.test });
    const epoch = result.epochs[0];
    expect(result.diverged).toBe(false);
    expect(Number.isFinite(epoch.loss)).toBe(true);
    expect(model.getWeights().every((w) => Array.from(w.dataSync()).every(Number.isFinite))).toBe(true);
    expect(Number.isFinite(epoch.valLoss)).toBe(true);
    model.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
