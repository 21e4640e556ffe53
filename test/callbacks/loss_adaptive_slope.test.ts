import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AReLU, arelu, findAReLULayers, LossAdaptiveSlope, lossAdaptiveSlope } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { uniform } from '../helpers/numeric.js';

/** A small classifier with two AReLU layers, seeded. */
function classifier(names = ['a1', 'a2']): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      arelu({ name: names[0] }),
      tf.layers.dense({ units: 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      arelu({ name: names[1] }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
}

function data(n = 48): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const x = tf.tensor2d(uniform(n * 6, -1, 1, 21), [n, 6]);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  return { x, y: tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D };
}

/** Records every AReLU slope at each epoch's end, after the slope callback ran. */
function slopeRecorder(model: tf.LayersModel, into: number[][]): tf.CustomCallback {
  return new tf.CustomCallback({
    onEpochEnd: async () => {
      into.push(findAReLULayers(model).map((l) => l.getSlope()));
    },
  });
}

function compiled(model: tf.LayersModel): tf.LayersModel {
  model.compile({ optimizer: tf.train.adamax(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

describe.each(BACKENDS)('lossAdaptiveSlope on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('sets every AReLU slope to the epoch training loss after each epoch (model.fit)', async () => {
    const model = compiled(classifier());
    const { x, y } = data();
    const seen: number[][] = [];
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 16,
      verbose: 0,
      callbacks: [lossAdaptiveSlope(), slopeRecorder(model, seen)],
    });
    const losses = history.history.loss as number[];
    expect(seen).toHaveLength(3);
    seen.forEach((slopes, epoch) => {
      for (const s of slopes) expect(s).toBeCloseTo(losses[epoch], 6);
    });
    expect(new Set(losses).size).toBe(3);
  });

  it('uses the slope set at one epoch end for the whole next epoch', async () => {
    const model = compiled(classifier());
    const { x, y } = data();
    const atEpochBegin: number[] = [];
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 16,
      verbose: 0,
      callbacks: [
        lossAdaptiveSlope(),
        new tf.CustomCallback({ onEpochBegin: async () => { atEpochBegin.push((model.getLayer('a1') as AReLU).getSlope()); } }),
      ],
    });
    const losses = history.history.loss as number[];
    expect(atEpochBegin[0]).toBeCloseTo(0.1, 7);
    expect(atEpochBegin[1]).toBeCloseTo(losses[0], 6);
    expect(atEpochBegin[2]).toBeCloseTo(losses[1], 6);
  });

  it('works with model.fitDataset', async () => {
    const model = compiled(classifier());
    const { x, y } = data();
    const ds = tf.data.zip({ xs: tf.data.array(x.arraySync()), ys: tf.data.array(y.arraySync()) }).batch(16);
    const seen: number[][] = [];
    const history = await model.fitDataset(ds as tf.data.Dataset<tf.TensorContainer>, {
      epochs: 2,
      verbose: 0,
      callbacks: [lossAdaptiveSlope(), slopeRecorder(model, seen)],
    });
    const losses = history.history.loss as number[];
    expect(seen).toHaveLength(2);
    seen.forEach((slopes, epoch) => slopes.forEach((s) => expect(s).toBeCloseTo(losses[epoch], 6)));
  });

  it('reaches AReLU layers inside a nested model and runs beside earlyStopping', async () => {
    const inner = classifier(['inner1', 'inner2']);
    const outer = compiled(tf.sequential({ layers: [inner] }));
    expect(findAReLULayers(outer).map((l) => l.name)).toEqual(['inner1', 'inner2']);
    const { x, y } = data();
    const seen: number[][] = [];
    const history = await outer.fit(x, y, {
      epochs: 3,
      batchSize: 16,
      verbose: 0,
      validationSplit: 0.25,
      callbacks: [tf.callbacks.earlyStopping({ monitor: 'val_loss', patience: 5 }), lossAdaptiveSlope(), slopeRecorder(outer, seen)],
    });
    const losses = history.history.loss as number[];
    expect(seen).toHaveLength(losses.length);
    seen.forEach((slopes, epoch) => slopes.forEach((s) => expect(s).toBeCloseTo(losses[epoch], 6)));
  });

  it("follows another log key with monitor: 'val_loss'", async () => {
    const model = compiled(classifier());
    const { x, y } = data();
    const history = await model.fit(x, y, {
      epochs: 2,
      batchSize: 16,
      verbose: 0,
      validationData: [x, y],
      callbacks: [lossAdaptiveSlope({ monitor: 'val_loss' })],
    });
    const valLoss = history.history.val_loss as number[];
    expect((model.getLayer('a2') as AReLU).getSlope()).toBeCloseTo(valLoss[1], 6);
  });

  it('leaves no tensor behind across epochs', async () => {
    const model = compiled(classifier());
    const { x, y } = data();
    const counts: number[] = [];
    await model.fit(x, y, {
      epochs: 6,
      batchSize: 16,
      verbose: 0,
      callbacks: [lossAdaptiveSlope(), new tf.CustomCallback({ onEpochEnd: async () => { counts.push(tf.memory().numTensors); } })],
    });
    // The first epoch creates the optimizer's slots; from then on the count must be flat.
    expect(new Set(counts.slice(1)).size).toBe(1);
  });
});

describe('lossAdaptiveSlope with values that cannot be a slope', () => {
  beforeAll(() => useBackend('cpu'));

  function attached(): { cb: LossAdaptiveSlope; layer: AReLU; warnings: string[] } {
    const model = classifier();
    const warnings: string[] = [];
    const cb = lossAdaptiveSlope({ warn: (m) => warnings.push(m) });
    cb.setModel(model);
    return { cb, layer: model.getLayer('a1') as AReLU, warnings };
  }

  it.each([
    ['missing', {}, /epoch 4: 'loss' is missing/],
    ['NaN', { loss: Number.NaN }, /epoch 4: 'loss' is NaN/],
    ['+Infinity', { loss: Infinity }, /epoch 4: 'loss' is Infinity/],
    ['-Infinity', { loss: -Infinity }, /epoch 4: 'loss' is -Infinity/],
    ['negative', { loss: -0.5 }, /epoch 4: 'loss' is -0.5/],
    ['a string', { loss: '0.3' }, /epoch 4: 'loss' is "0.3"/],
    ['beyond float32', { loss: 1e39 }, /epoch 4: 'loss' is 1e\+39, not a finite number >= 0 that float32 can hold/],
  ])('keeps the slope and warns once when the loss is %s', async (_what, logs, message) => {
    const { cb, layer, warnings } = attached();
    await cb.onEpochEnd(3, logs as never);
    expect(layer.getSlope()).toBeCloseTo(0.1, 7);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(message);
    expect(warnings[0]).toMatch(/slope stays at 0\.1/);
  });

  it.each([1e-40, 5e-324])('applies a loss of %s, below float32\'s normal range, as the slope 0, silently', async (value) => {
    const { cb, layer, warnings } = attached();
    await cb.onEpochEnd(0, { loss: value });
    expect(layer.getSlope()).toBe(0);
    expect(warnings).toHaveLength(0);
  });

  it.each([0, 0.73, 1])('applies %s silently', async (value) => {
    const { cb, layer, warnings } = attached();
    await cb.onEpochEnd(0, { loss: value });
    expect(layer.getSlope()).toBeCloseTo(value, 6);
    expect(warnings).toHaveLength(0);
  });

  it('applies a loss above 1 as the paper does, and warns once per training run that it may cap it', async () => {
    const { cb, layer, warnings } = attached();
    await cb.onTrainBegin();
    await cb.onEpochEnd(0, { loss: 2.4 });
    expect(layer.getSlope()).toBeCloseTo(2.4, 6);
    await cb.onEpochEnd(1, { loss: 1.5 });
    expect(layer.getSlope()).toBeCloseTo(1.5, 6);
    expect(warnings).toEqual([expect.stringMatching(/epoch 1: 'loss' is 2\.4, so the slope becomes 2\.4, above 1 .*lossAdaptiveSlope\(\{maxSlope: 1\}\) caps it/)]);
    await cb.onTrainBegin(); // a new fit warns again
    await cb.onEpochEnd(0, { loss: 3 });
    expect(warnings).toHaveLength(2);
  });

  it('caps the slope at maxSlope, silently, and leaves smaller values alone', async () => {
    const model = classifier();
    const warnings: string[] = [];
    const cb = lossAdaptiveSlope({ maxSlope: 1, warn: (m) => warnings.push(m) });
    cb.setModel(model);
    const layer = model.getLayer('a1') as AReLU;
    await cb.onEpochEnd(0, { loss: 1.61 });
    expect(layer.getSlope()).toBe(1);
    await cb.onEpochEnd(1, { loss: 0.25 });
    expect(layer.getSlope()).toBeCloseTo(0.25, 7);
    expect(warnings).toEqual([]);
    expect(cb.maxSlope).toBe(1);
    expect(lossAdaptiveSlope().maxSlope).toBe(Infinity);
  });

  it('reads a loss handed over as a scalar tensor', async () => {
    const { cb, layer } = attached();
    await cb.onEpochEnd(0, { loss: tf.scalar(0.61) } as never);
    expect(layer.getSlope()).toBeCloseTo(0.61, 6);
  });

  it('warns once at the start of training when the model has no AReLU layer', async () => {
    const warnings: string[] = [];
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await model.fit(tf.ones([4, 2]), tf.ones([4, 1]), {
      epochs: 3,
      verbose: 0,
      callbacks: [lossAdaptiveSlope({ warn: (m) => warnings.push(m) })],
    });
    expect(warnings).toEqual([expect.stringMatching(/has no AReLU layer/)]);
  });

  it("finds the AReLU layers of another copy of the package (ESM import beside CommonJS require)", async () => {
    // A query string makes the module loader evaluate the module again: a second AReLU class.
    const path = '../../src/layers/arelu.js?second-copy';
    const other = (await import(/* @vite-ignore */ path)) as typeof import('../../src/layers/arelu.js');
    expect(other.AReLU).not.toBe(AReLU);
    const foreign = new other.AReLU({ initialSlope: 0.1 });
    expect(foreign instanceof AReLU).toBe(false);
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3 }), foreign, tf.layers.dense({ units: 1 })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(findAReLULayers(model)).toEqual([foreign]);
    const warnings: string[] = [];
    const history = await model.fit(tf.ones([4, 2]), tf.ones([4, 1]), {
      epochs: 2,
      verbose: 0,
      callbacks: [lossAdaptiveSlope({ warn: (m) => warnings.push(m) })],
    });
    expect(warnings.filter((m) => m.includes('no AReLU layer'))).toEqual([]);
    expect(foreign.getSlope()).toBeCloseTo(history.history.loss[1] as number, 6);
  });

  it('serves two models fitted one after the other, and the same model fitted twice', async () => {
    const cb = lossAdaptiveSlope();
    const { x, y } = data();
    const first = compiled(classifier());
    const second = compiled(classifier());
    const h1 = await first.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [cb] });
    const h2 = await second.fit(x, y, { epochs: 2, batchSize: 16, verbose: 0, callbacks: [cb] });
    expect((first.getLayer('a1') as AReLU).getSlope()).toBeCloseTo((h1.history.loss as number[])[0], 6);
    expect((second.getLayer('a1') as AReLU).getSlope()).toBeCloseTo((h2.history.loss as number[])[1], 6);
    const h3 = await first.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [cb] });
    expect((first.getLayer('a1') as AReLU).getSlope()).toBeCloseTo((h3.history.loss as number[])[0], 6);
  });

  it.each([
    [{ monitor: '' }, /monitor must be a non-empty log key/],
    [{ monitor: 3 }, /monitor must be a non-empty log key such as 'loss', got 3/],
    [{ monitr: 'loss' }, /unknown argument 'monitr'/],
    [{ warn: 'yes' }, /warn must be a function/],
    [{ maxSlope: -1 }, /lossAdaptiveSlope: maxSlope must be a finite number >= 0, got -1\./],
    [{ maxSlope: Number.NaN }, /maxSlope must be a finite number >= 0, got NaN/],
    [{ maxSlope: '1' }, /maxSlope must be a finite number >= 0, got "1"/],
    [{ maxSlope: null }, /maxSlope must be a finite number >= 0, got null/],
    [null, /lossAdaptiveSlope: args must be an object such as \{monitor: 'loss'\}, got null/],
    ['loss', /args must be an object .* got "loss"/],
  ])('rejects %o', (args, message) => {
    expect(() => lossAdaptiveSlope(args as never)).toThrow(message);
  });
});
