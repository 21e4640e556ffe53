import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { arelu, findAReLULayers, lossAdaptiveSlope } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { uniform } from '../helpers/numeric.js';

/**
 * The slope callback's cost per batch: it must not read from the device per batch (a GPU-to-CPU
 * read would stall every step on webgl) and must write each AReLU slope once per epoch. Counted,
 * not timed.
 */
function model(): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5], units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      arelu(),
      tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      arelu(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  m.compile({ optimizer: tf.train.adamax(0.01), loss: 'categoricalCrossentropy' });
  return m;
}

const SAMPLES = 64;
const BATCH = 4; // 16 batches per epoch
const EPOCHS = 3;

/**
 * Counts reads of tensor values to JavaScript: Tensor.dataSync, data, array and arraySync all go
 * through the engine's readSync or read. (Not the backend's: the cpu backend's own kernels call
 * its readSync internally.)
 */
async function countReads(run: () => Promise<unknown>): Promise<number> {
  const engine = tf.engine() as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = { readSync: engine.readSync, read: engine.read };
  let reads = 0;
  engine.readSync = function (this: unknown, ...args: unknown[]) {
    reads++;
    return originals.readSync.apply(this, args);
  };
  engine.read = function (this: unknown, ...args: unknown[]) {
    reads++;
    return originals.read.apply(this, args);
  };
  try {
    await run();
  } finally {
    engine.readSync = originals.readSync;
    engine.read = originals.read;
  }
  return reads;
}

describe.each(BACKENDS)('lossAdaptiveSlope cost on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const x = () => tf.tensor2d(uniform(SAMPLES * 5, -1, 1, 3), [SAMPLES, 5]);
  const y = () => tf.oneHot(tf.tensor1d(Array.from({ length: SAMPLES }, (_, i) => i % 3), 'int32'), 3);

  it('reads nothing from the device per batch: the fit with it reads at most once per epoch more than without', async () => {
    const [xs, ys] = [x(), y()];
    const fit = (m: tf.LayersModel, callbacks: tf.Callback[]) =>
      m.fit(xs, ys, { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0, callbacks });
    const plain = model();
    const withCallback = model();
    // Warm-up fits, so that one-time work (weight initialisation, kernel set-up) is not counted.
    await fit(plain, []);
    await fit(withCallback, [lossAdaptiveSlope()]);
    const without = await countReads(() => fit(plain, []));
    const withIt = await countReads(() => fit(withCallback, [lossAdaptiveSlope()]));
    const batches = EPOCHS * (SAMPLES / BATCH);
    expect(withIt - without).toBeGreaterThanOrEqual(0);
    expect(withIt - without).toBeLessThanOrEqual(EPOCHS);
    expect(withIt - without).toBeLessThan(batches);
    tf.dispose([xs, ys]);
    plain.dispose();
    withCallback.dispose();
  });

  it('writes each AReLU slope exactly once per epoch, and nothing per batch', async () => {
    const [xs, ys] = [x(), y()];
    const m = model();
    await m.fit(xs, ys, { epochs: 1, batchSize: BATCH, verbose: 0 }); // builds the layers
    const writes = new Map<string, number>();
    for (const layer of findAReLULayers(m)) {
      const slope = layer.nonTrainableWeights.find((w) => w.originalName.endsWith('/slope'));
      expect(slope).toBeDefined();
      const variable = slope as tf.LayerVariable;
      const write = variable.write.bind(variable);
      writes.set(layer.name, 0);
      variable.write = (value: tf.Tensor) => {
        writes.set(layer.name, (writes.get(layer.name) ?? 0) + 1);
        return write(value);
      };
    }
    await m.fit(xs, ys, { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0, callbacks: [lossAdaptiveSlope()] });
    expect([...writes.values()]).toEqual([EPOCHS, EPOCHS]);
    tf.dispose([xs, ys]);
    m.dispose();
  });
});
