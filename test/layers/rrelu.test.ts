import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, createActivation, RReLU, rrelu } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Xu et al. (2015) at test time: x for x >= 0, x / ((l + u) / 2) for x < 0. */
const inference = (x: number, l: number, u: number) => (x >= 0 ? x : x / ((l + u) / 2));

const POINTS = [-10, -2, -0.5, -1e-3, 0, 1e-3, 0.5, 2, 10];
const N = 20000;

/** Training-mode outputs of `layer` for N inputs equal to -1: each is minus the slope 1/a drawn for it. */
function trainingSlopes(layer: RReLU): number[] {
  return tf.tidy(() => {
    const y = layer.apply(tf.fill([100, N / 100], -1), { training: true }) as tf.Tensor;
    return Array.from(y.dataSync(), (v) => -v);
  });
}

describe.each(BACKENDS)('RReLU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('at inference is x / 5.5 for x < 0 (slope 2/11), with the derivative 1 or 2/11', () => {
    const layer = rrelu();
    expect(layer.inferenceSlope()).toBeCloseTo(2 / 11, 12);
    expectClose(outputAt(layer, POINTS), POINTS.map((x) => inference(x, 3, 8)), 1e-7, 1e-6);
    expectClose(outputAt(layer, POINTS, { training: false }), POINTS.map((x) => inference(x, 3, 8)), 1e-7, 1e-6);
    expectClose(derivativeAt(layer, POINTS), POINTS.map((x) => (x > 0 ? 1 : 2 / 11)), 1e-7, 1e-6);
  });

  it('at inference uses (l + u)/2 for other bounds', () => {
    expectClose(outputAt(rrelu({ lower: 1.5, upper: 2.5 }), POINTS), POINTS.map((x) => inference(x, 1.5, 2.5)), 1e-7, 1e-6);
  });

  it('in training draws a ~ U(3, 8) per element: slopes 1/a in [1/8, 1/3], mean of a 5.5, mean slope ln(8/3)/5', () => {
    const slopes = trainingSlopes(rrelu());
    const divisors = slopes.map((s) => 1 / s);
    expect(Math.min(...slopes)).toBeGreaterThanOrEqual(1 / 8 - 1e-6);
    expect(Math.max(...slopes)).toBeLessThanOrEqual(1 / 3 + 1e-6);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    // Standard error of the mean of a: (5 / sqrt(12)) / sqrt(20000) ~ 0.01.
    expect(Math.abs(mean(divisors) - 5.5)).toBeLessThan(0.05);
    expect(Math.abs(mean(slopes) - Math.log(8 / 3) / 5)).toBeLessThan(0.002);
    // Uniform in a, not in the slope: a quarter of the divisors below 4.25, half below 5.5.
    expect(Math.abs(divisors.filter((a) => a < 4.25).length / N - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(divisors.filter((a) => a < 5.5).length / N - 0.5)).toBeLessThan(0.015);
    expect(new Set(slopes).size).toBeGreaterThan(N / 2);
  });

  it('in training leaves x >= 0 unchanged and has the drawn slope as derivative below 0', () => {
    const layer = rrelu({ seed: 3 });
    const x = tf.tensor2d([[0, 0.5, 3, 7]]);
    expectClose((layer.apply(x, { training: true }) as tf.Tensor).dataSync(), [0, 0.5, 3, 7], 0, 0);
    const xs = tf.fill([1, 50], -2);
    const second = rrelu({ seed: 11 });
    const y = (second.apply(xs, { training: true }) as tf.Tensor).dataSync();
    const again = rrelu({ seed: 11 });
    const g = tf.grad((t: tf.Tensor) => (again.apply(t, { training: true }) as tf.Tensor).sum())(xs).dataSync();
    expectClose(g, Array.from(y, (v) => v / -2), 1e-7, 1e-6);
  });

  it('repeats its draws for a given seed, and draws anew at each training call', () => {
    const first = trainingSlopes(rrelu({ seed: 42 }));
    const twin = rrelu({ seed: 42 });
    expectClose(trainingSlopes(twin), first, 0, 0);
    const next = trainingSlopes(twin);
    expect(next).not.toEqual(first);
    expect(trainingSlopes(rrelu({ seed: 43 }))).not.toEqual(first);
  });

  it('gets training = true from model.fit and is deterministic in model.predict', async () => {
    const layer = rrelu({ seed: 5 });
    const seen: unknown[] = [];
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => {
      seen.push(kwargs.training);
      return call(inputs, kwargs);
    };
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }), layer],
    });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await model.fit(tf.randomNormal([8, 3], 0, 1, 'float32', 2), tf.randomNormal([8, 4], 0, 1, 'float32', 3), {
      epochs: 1,
      batchSize: 4,
      verbose: 0,
    });
    expect(seen).toContain(true);
    seen.length = 0;
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 4);
    const p1 = (model.predict(x) as tf.Tensor).dataSync();
    const p2 = (model.predict(x) as tf.Tensor).dataSync();
    expect(seen.every((t) => t !== true)).toBe(true);
    expectClose(p1, p2, 0, 0);
  });

  it('keeps lower, upper and seed in its config', () => {
    expect(rrelu().getConfig()).toMatchObject({ lower: 3, upper: 8 });
    expect(rrelu().getConfig().seed).toBeUndefined();
    expect(rrelu({ lower: 2, upper: 4, seed: 9 }).getConfig()).toMatchObject({ lower: 2, upper: 4, seed: 9 });
    expect(rrelu({ lower: 10 }).getConfig()).toMatchObject({ lower: 10, upper: 10 });
  });
});

describe('RReLU arguments', () => {
  it.each([
    [{ lower: 0.125, upper: 1 / 3 }, /RReLU: lower must be a finite number >= 1, got 0.125/],
    [{ lower: Number.NaN }, /RReLU: lower must be a finite number >= 1, got NaN/],
    [{ upper: 2 }, /RReLU: upper must be a finite number >= 3, got 2/],
    [{ lower: 4, upper: Infinity }, /RReLU: upper must be a finite number >= 4, got Infinity/],
    [{ seed: 1.5 }, /RReLU: seed must be a finite integer >= 0 and <= 4294967295, got 1.5/],
    [{ seed: 'x' }, /RReLU: seed must be a finite integer >= 0 and <= 4294967295, got "x"/],
    // mulberry32's state is 32 bits: 2^32 would repeat seed 0's draws, 2^60 + n equals 2^60.
    [{ seed: 2 ** 32 }, /RReLU: seed must be a finite integer >= 0 and <= 4294967295, got 4294967296/],
    [{ seed: 2 ** 60 }, /RReLU: seed must be a finite integer >= 0 and <= 4294967295, got 1152921504606847000/],
    [{ seed: -1 }, /RReLU: seed must be a finite integer >= 0 and <= 4294967295, got -1/],
    [{ alpha: 0.2 }, /RReLU: unknown argument 'alpha'/],
  ])('rejects %o', (args, message) => {
    expect(() => rrelu(args as never)).toThrow(message);
  });
});

describe('RReLU in the registry', () => {
  it("is 'rrelu', not learnable, with the paper's U(3, 8)", () => {
    expect(activationEntry('rrelu').learnable).toBe(false);
    const layer = createActivation('rrelu');
    expect(layer).toBeInstanceOf(RReLU);
    expect(layer.getConfig()).toMatchObject({ lower: 3, upper: 8 });
  });
});

describeLayerContract('RReLU', { create: () => rrelu({ seed: 1 }), inputShape: [4, 3], kinks: [0], randomInTraining: true });
