import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { activationEntry, createActivation } from '../../src/index.js';

/**
 * Builds the reference MLP of the benchmark (Dense 784-512-act-512-act-10, softmax) with the
 * registry's layer for `name` after each hidden Dense, runs one predict and one training step,
 * and checks the registry entry's metadata. Returns the two activation layers.
 */
export async function expectUsableInReferenceMlp(name: string, learnable: boolean): Promise<tf.layers.Layer[]> {
  const entry = activationEntry(name);
  expect(entry.learnable).toBe(learnable);
  expect(entry.summary.length).toBeGreaterThan(10);
  const acts = [createActivation(name), createActivation(name)];
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 512 }),
      acts[0],
      tf.layers.dense({ units: 512 }),
      acts[1],
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  const x = tf.randomUniform([4, 784], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), 10);
  const p = model.predict(x) as tf.Tensor;
  expect(p.shape).toEqual([4, 10]);
  expect(Array.from(p.dataSync()).every(Number.isFinite)).toBe(true);
  const before = acts.flatMap((a) => a.trainableWeights.map((w) => Array.from(w.read().dataSync())));
  const history = await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
  const after = acts.flatMap((a) => a.trainableWeights.map((w) => Array.from(w.read().dataSync())));
  expect(after.length).toBe(before.length);
  if (learnable) expect(after).not.toEqual(before);
  return acts;
}
