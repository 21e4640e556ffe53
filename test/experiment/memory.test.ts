import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { arelu, setWasmSimdKernelsEnabled } from '../../src/index.js';
import { runExperiment } from '../../src/experiment/run.js';
import { trainClassifier, type LabelledImages } from '../../src/experiment/train.js';
import type { RunConfig } from '../../src/experiment/record.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { uniform } from '../helpers/numeric.js';

function images(n: number, features: number, seed: number): LabelledImages {
  return {
    images: tf.tensor2d(uniform(n * features, 0, 1, seed), [n, features]),
    labels: tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10).toFloat() as tf.Tensor2D,
  };
}

describe.each(BACKENDS)('training memory on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  /** A one-epoch runExperiment setup: `train` random images (batch train / 2) and `test` more. */
  function experiment(activation: string, train: number, test: number) {
    const data = { train: images(train, 784, train), test: images(test, 784, test + 1) };
    const config: RunConfig = {
      activation, seed: 1, epochs: 1, batchSize: train / 2, lr: 0.001, initialSlope: 0.1,
      trainSize: train, testSize: test, hiddenBias: 0, stress: false, probeSize: 0,
    };
    const env = {
      backend, kernels: null, machine: { cpu: 'test', cores: 1, node: process.version, platform: 'test' },
      versions: { tfjs: tf.version.tfjs, tfjsActivations: 'test' },
    };
    return { data, config, env };
  }

  it('trainClassifier holds the same number of tensors at every epoch end (no per-epoch log tensors pile up)', async () => {
    const train = images(32, 6, 1);
    const validation = images(16, 6, 2);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [6], units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        arelu(),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: 'adamax', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const counts: number[] = [];
    const result = await trainClassifier(model, train, {
      epochs: 6,
      batchSize: 8,
      seed: 1,
      validation,
      hooks: { onEpochEnd: () => counts.push(tf.memory().numTensors) },
    });
    expect(result.epochs).toHaveLength(6);
    expect(result.epochs.every((r) => Number.isFinite(r.loss) && r.valLoss !== null)).toBe(true);
    expect(new Set(counts).size).toBe(1);
    model.dispose();
    tf.dispose([train.images, train.labels, validation.images, validation.labels]);
  });

  it('runExperiment records whether the SIMD kernels ran: an activation with one, then with them switched off', async () => {
    const { data, config, env } = experiment('msaf', 16, 8);
    expect((await runExperiment(config, data, env)).simdKernels).toBe(backend === 'wasm' ? true : null);
    const previous = setWasmSimdKernelsEnabled(false);
    try {
      expect((await runExperiment(config, data, env)).simdKernels).toBe(backend === 'wasm' ? false : null);
    } finally {
      setWasmSimdKernelsEnabled(previous);
    }
    tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]);
  });

  it('runExperiment leaves no tensor behind, optimizer state included', async () => {
    const { data, config, env } = experiment('arelu', 32, 16);
    await runExperiment(config, data, env); // warm-up: one-time tensors of tfjs itself
    const before = tf.memory();
    const record = await runExperiment(config, data, env);
    expect(record.epochs).toHaveLength(1);
    // Whether the library's SIMD kernels ran is part of the record: AReLU has none (false on
    // wasm), nothing to say on other backends.
    expect(record.simdKernels).toBe(backend === 'wasm' ? false : null);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    tf.dispose([data.train.images, data.train.labels, data.test.images, data.test.labels]);
  });
});
