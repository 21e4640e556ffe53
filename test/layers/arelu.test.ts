import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AReLU, arelu, DEFAULT_INITIAL_SLOPE } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose, finiteDifference, leakedTensors, uniform } from '../helpers/numeric.js';
import { saveAndLoad } from '../helpers/save_load.js';

/** Eq. (6) of Atoum (2023), in plain JS. */
const formula = (x: number, l: number) => (x > 0 ? x : l * x);
/** Its derivative: 1 for x > 0, l for x <= 0. */
const derivative = (x: number, l: number) => (x > 0 ? 1 : l);

const POINTS = [-5, -1, -0.25, -1e-3, 0, 1e-3, 0.25, 1, 5];

/** A built AReLU layer with the given slope, applied eagerly. */
function built(slope: number): AReLU {
  const layer = arelu({ initialSlope: slope });
  layer.build([null, POINTS.length]);
  return layer;
}

describe.each(BACKENDS)('AReLU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([0.1, 0, 0.5, 1, 2.5])('forward equals Eq. (6) at hand-picked points, slope %s', (slope) => {
    const layer = built(slope);
    const y = layer.apply(tf.tensor2d([POINTS])) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expectClose(y.dataSync(), POINTS.map((x) => formula(x, slope)), 1e-7, 1e-6);
  });

  it('keeps the shape of inputs of any rank', () => {
    const layer = built(0.3);
    for (const shape of [[7], [2, 3], [2, 3, 4], [1, 2, 3, 2]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const xs = uniform(n, -2, 2, n);
      const y = layer.apply(tf.tensor(xs, shape)) as tf.Tensor;
      expect(y.shape).toEqual(shape);
      expectClose(y.dataSync(), xs.map((x) => formula(x, 0.3)), 1e-7, 1e-6);
    }
  });

  it('casts int32 and bool inputs to float32 outputs', () => {
    const layer = built(0.5);
    const yi = layer.apply(tf.tensor1d([-2, 0, 3], 'int32')) as tf.Tensor;
    expect(yi.dtype).toBe('float32');
    expectClose(yi.dataSync(), [-1, 0, 3]);
    const yb = layer.apply(tf.tensor1d([true, false], 'bool')) as tf.Tensor;
    expect(yb.dtype).toBe('float32');
    expectClose(yb.dataSync(), [1, 0]);
  });

  it('has the gradient 1 for x > 0 and l for x <= 0 (at 0 too)', () => {
    const slope = 0.37;
    const layer = built(slope);
    const g = tf.grad((x: tf.Tensor) => (layer.apply(x) as tf.Tensor).sum())(tf.tensor1d(POINTS));
    expectClose(g.dataSync(), POINTS.map((x) => derivative(x, slope)), 1e-7, 1e-6);
  });

  it('matches central finite differences of the layer away from the kink', () => {
    const slope = 0.2;
    const layer = built(slope);
    const xs = uniform(24, -3, 3, 7).filter((x) => Math.abs(x) > 0.01);
    const weights = uniform(xs.length, -1, 1, 8);
    const w = tf.tensor1d(weights);
    const loss = (x: tf.Tensor) => (layer.apply(x) as tf.Tensor).mul(w).sum();
    const analytic = tf.grad(loss)(tf.tensor1d(xs)).dataSync();
    const numeric = finiteDifference((v) => tf.tidy(() => loss(tf.tensor1d(v)).dataSync()[0]), xs, 1e-2);
    expectClose(analytic, numeric, 2e-3, 1e-2);
  });

  it('applies a new slope at the very next call, inside a model too', () => {
    const layer = arelu({ inputShape: [POINTS.length] });
    const model = tf.sequential({ layers: [layer] });
    const x = tf.tensor2d([POINTS]);
    expectClose((model.predict(x) as tf.Tensor).dataSync(), POINTS.map((v) => formula(v, DEFAULT_INITIAL_SLOPE)));
    for (const slope of [0, 1.7, 0.05]) {
      layer.setSlope(slope);
      expect(layer.getSlope()).toBeCloseTo(slope, 6);
      expectClose((model.predict(x) as tf.Tensor).dataSync(), POINTS.map((v) => formula(v, slope)), 1e-7, 1e-6);
    }
  });

  it('holds the slope as one non-trainable float32 scalar weight the optimizer never changes', async () => {
    const layer = arelu({ initialSlope: 0.1 });
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 8 }), layer, tf.layers.dense({ units: 1 })],
    });
    expect(layer.trainableWeights).toHaveLength(0);
    expect(layer.nonTrainableWeights).toHaveLength(1);
    const slope = layer.nonTrainableWeights[0];
    expect(slope.name).toMatch(/slope/);
    expect(slope.shape).toEqual([]);
    expect(slope.dtype).toBe('float32');
    model.compile({ optimizer: tf.train.adam(0.1), loss: 'meanSquaredError' });
    const before = model.getWeights()[0].dataSync().slice();
    await model.fit(tf.randomNormal([32, 4], 0, 1, 'float32', 1), tf.randomNormal([32, 1], 0, 1, 'float32', 2), {
      epochs: 2,
      batchSize: 8,
      verbose: 0,
    });
    expect(layer.getSlope()).toBeCloseTo(0.1, 7);
    expect(model.getWeights()[0].dataSync()).not.toEqual(before);
  });

  it('works on symbolic tensors and keeps their shape', () => {
    const input = tf.input({ shape: [5, 3] });
    const out = arelu().apply(input) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, 5, 3]);
  });

  it('round-trips getConfig/fromConfig', () => {
    const layer = arelu({ initialSlope: 0.42, name: 'my_arelu' });
    const config = layer.getConfig();
    expect(config.initialSlope).toBe(0.42);
    const copy = AReLU.fromConfig(AReLU, config) as AReLU;
    expect(copy.getConfig()).toEqual(config);
    expect(copy.getSlope()).toBeCloseTo(0.42, 7);
  });

  it('saves the current slope and restores it on load, with identical predictions', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [6], units: 5, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
        arelu({ name: 'hidden_arelu' }),
        tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
      ],
    });
    (model.getLayer('hidden_arelu') as AReLU).setSlope(0.37);
    const { loaded, topology } = await saveAndLoad(model);
    expect(topology).toContain('"class_name":"AReLU"');
    const restored = loaded.getLayer('hidden_arelu');
    expect(restored).toBeInstanceOf(AReLU);
    expect((restored as AReLU).getSlope()).toBeCloseTo(0.37, 7);
    const x = tf.tensor2d(uniform(4 * 6, -2, 2, 11), [4, 6]);
    expectClose((loaded.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync(), 0, 0);
  });

  it('leaves no tensor behind per call, per setSlope and per getSlope', () => {
    const layer = built(0.1);
    const x = tf.tensor2d([POINTS]);
    layer.apply(x); // warm-up allocations of the backend
    expect(
      leakedTensors(() => {
        for (let i = 0; i < 20; i++) {
          (layer.apply(x) as tf.Tensor).dispose();
          layer.setSlope(i / 10);
          layer.getSlope();
        }
      }),
    ).toBe(0);
  });
});

describe('AReLU arguments', () => {
  it.each([
    [{ initialSlope: -0.1 }, /initialSlope must be a finite number >= 0, got -0.1/],
    [{ initialSlope: Number.NaN }, /initialSlope must be a finite number >= 0, got NaN/],
    [{ initialSlope: Infinity }, /initialSlope must be a finite number >= 0, got Infinity/],
    [{ initialSlope: '0.1' }, /initialSlope must be a finite number >= 0, got "0.1"/],
    [{ initialSlop: 0.1 }, /unknown argument 'initialSlop'/],
    [{ initialSlope: 1e39 }, /AReLU: initialSlope must be a finite number >= 0 that float32 can hold \(0, or 1\.1754943508222875e-38 <= \|value\| <= 3\.4028234663852886e\+38\), got 1e\+39\./],
    [{ initialSlope: 1e-40 }, /AReLU: initialSlope must be a finite number >= 0 that float32 can hold \(0, or 1\.1754943508222875e-38 <= \|value\| <= 3\.4028234663852886e\+38\), got 1e-40\./],
  ])('rejects %o', (args, message) => {
    expect(() => arelu(args as never)).toThrow(message);
  });

  it('rejects a bad setSlope value and keeps the old one', () => {
    const layer = arelu({ initialSlope: 0.2 });
    layer.build([null, 2]);
    expect(() => layer.setSlope(Number.NaN)).toThrow(/AReLU: slope must be a finite number >= 0, got NaN/);
    expect(() => layer.setSlope(-1)).toThrow(/got -1/);
    expect(() => layer.setSlope(3.5e38)).toThrow(/that float32 can hold/);
    expect(layer.getSlope()).toBeCloseTo(0.2, 7);
    layer.setSlope(3.4e38); // the largest float32 values are fine
    expect(layer.getSlope()).toBeCloseTo(3.4e38, -32);
  });

  it('stores -0 as 0', () => {
    const layer = arelu({ initialSlope: -0 });
    expect(Object.is(layer.getConfig().initialSlope, 0)).toBe(true);
    layer.build([null, 2]);
    layer.setSlope(-0);
    expect(Object.is(layer.getSlope(), 0)).toBe(true);
  });

  it('takes a slope set before build as the starting value', () => {
    const layer = arelu();
    layer.setSlope(0.9);
    layer.build([null, 2]);
    expect(layer.getSlope()).toBeCloseTo(0.9, 7);
  });
});
