import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, createActivation, PELU, pelu } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt, setWeight, weightGradients } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Trottier et al. (2017): (a/b) x for x >= 0, a (exp(x/b) - 1) for x < 0, in float64, and its derivatives. */
const formula = (x: number, a: number, b: number) => (x >= 0 ? (a / b) * x : a * (Math.exp(x / b) - 1));
const dx = (x: number, a: number, b: number) => (x >= 0 ? a / b : (a / b) * Math.exp(x / b));
const da = (x: number, b: number) => (x >= 0 ? x / b : Math.exp(x / b) - 1);
const db = (x: number, a: number, b: number) => (x >= 0 ? (-a * x) / (b * b) : (-a * x * Math.exp(x / b)) / (b * b));
const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0);

const POINTS = [-8, -2, -0.5, -1e-3, 0, 1e-3, 0.5, 2, 8];

/** A built PELU whose weights a and b hold the given values. */
function peluWith(a: number, b: number): tf.layers.Layer {
  const layer = pelu();
  outputAt(layer, POINTS);
  setWeight(layer, 'a', [a]);
  setWeight(layer, 'b', [b]);
  return layer;
}

describe.each(BACKENDS)('PELU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it("starts at a = b = 1, i.e. tfjs' ELU", () => {
    const x = tf.tensor2d([POINTS]);
    expectClose(outputAt(pelu(), POINTS), (tf.layers.elu().apply(x) as tf.Tensor).dataSync(), 1e-7, 1e-7);
  });

  it.each([
    [1.5, 0.7],
    [0.3, 2],
    [1, 0.1],
  ])('equals the PELU formula with its three derivatives, a = %s, b = %s', (a, b) => {
    const layer = peluWith(a, b);
    expectClose(outputAt(layer, POINTS), POINTS.map((x) => formula(x, a, b)), 1e-6, 1e-5);
    expectClose(derivativeAt(layer, POINTS), POINTS.map((x) => dx(x, a, b)), 1e-6, 1e-5);
    const g = weightGradients(layer, POINTS);
    expectClose(g.a, [sum(POINTS.map((x) => da(x, b)))], 1e-5, 1e-5);
    expectClose(g.b, [sum(POINTS.map((x) => db(x, a, b)))], 1e-4, 1e-5);
  });

  it('uses max(a, 0.1) and max(b, 0.1) when a trained value falls below the bound', () => {
    expectClose(outputAt(peluWith(0.02, 0.05), POINTS), POINTS.map((x) => formula(x, 0.1, 0.1)), 1e-6, 1e-5);
    expectClose(outputAt(peluWith(-1, 0.5), POINTS), POINTS.map((x) => formula(x, 0.1, 0.5)), 1e-6, 1e-5);
  });

  it('below the bound, passes a gradient that raises the parameter and blocks one that lowers it', () => {
    // d sum(f)/da = sum(x/b) > 0 for positive inputs, sum(exp(x/b) - 1) < 0 for negative ones.
    const positive = [0.5, 1, 2];
    const negative = [-2, -1, -0.5];
    const layerA = peluWith(0.05, 1);
    expectClose(weightGradients(layerA, positive).a, [0], 0, 0);
    expectClose(weightGradients(layerA, negative).a, [sum(negative.map((x) => da(x, 1)))], 1e-6, 1e-5);
    // d sum(f)/db = sum(-a x / b^2) < 0 for positive inputs: a descent step raises b.
    const layerB = peluWith(1, 0.05);
    expectClose(weightGradients(layerB, positive).b, [sum(positive.map((x) => db(x, 1, 0.1)))], 1e-4, 1e-5);
    expectClose(weightGradients(layerB, [-0.05, -0.02]).b, [0], 0, 0);
  });

  it.each([
    [0.3, 0.3],
    [0.7, 0.13],
  ])('has the input derivative (a / b) exp(x / b), never negative, far on the negative side (a %s, b %s)', (a, b) => {
    const xs = Array.from({ length: 200 }, (_, i) => -1 - i * 0.1);
    const d = derivativeAt(peluWith(a, b), xs);
    xs.forEach((x, i) => {
      expect(d[i], `x = ${x}`).toBeGreaterThanOrEqual(0);
      expect(Math.abs(d[i] - dx(x, a, b)), `x = ${x}`).toBeLessThan(1e-6);
    });
  });

  it('keeps the input derivative >= 0 for a huge a, whose reciprocal is subnormal in float32 (a > 2^126)', () => {
    const d = derivativeAt(peluWith(8.528969245997806e37, 1), [-50, -20, -10, -3]);
    d.forEach((v, i) => expect(v, `point ${i}`).toBeGreaterThanOrEqual(0));
  });

  it('does not drift below the bound under descent steps that push it down', () => {
    const layer = peluWith(0.05, 1);
    const x = tf.tensor2d([[0.5, 1, 2]]);
    const a = layer.trainableWeights.find((w) => w.originalName.endsWith('/a'));
    const optimizer = tf.train.sgd(0.5);
    for (let i = 0; i < 3; i++) {
      optimizer.minimize(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, false, [a?.read() as tf.Variable]);
    }
    expect(a?.read().dataSync()[0]).toBeCloseTo(0.05, 7);
    optimizer.minimize(() => (layer.apply(x) as tf.Tensor).sum().neg() as tf.Scalar, false, [a?.read() as tf.Variable]);
    expect(a?.read().dataSync()[0]).toBeGreaterThan(0.05);
  });

  it('under Adam, lets momentum carry the stored a below the bound while the function stays at a = 0.1 (documented)', () => {
    const layer = peluWith(0.3, 0.3);
    const x = tf.tensor2d([[1, 2, -1, 3]]);
    const a = layer.trainableWeights.find((w) => w.originalName.endsWith('/a'))?.read() as tf.Variable;
    const optimizer = tf.train.adam(0.05);
    for (let i = 0; i < 40; i++) optimizer.minimize(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, false, [a]);
    const stored = a.dataSync()[0];
    expect(stored).toBeLessThan(-0.3);
    expectClose(outputAt(layer, [1, 2, -1, 3]), [1, 2, -1, 3].map((v) => formula(v, 0.1, 0.3)), 1e-6, 1e-6);
    optimizer.dispose();
  });

  it('keeps initialA and initialB in its config and has two scalar weights', () => {
    const layer = pelu({ initialA: 2, initialB: 0.5 });
    expect(layer.getConfig()).toMatchObject({ initialA: 2, initialB: 0.5 });
    layer.build([null, 3]);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[], []]);
  });
});

describe('PELU arguments', () => {
  it.each([
    [{ initialA: 0.05 }, /PELU: initialA must be a finite number >= 0.1, got 0.05/],
    [{ initialB: 0 }, /PELU: initialB must be a finite number >= 0.1, got 0/],
    [{ initialB: Number.NaN }, /PELU: initialB must be a finite number >= 0.1, got NaN/],
    [{ initialA: '1' }, /PELU: initialA must be a finite number >= 0.1, got "1"/],
    [{ perUnit: true }, /PELU: unknown argument 'perUnit'/],
  ])('rejects %o', (args, message) => {
    expect(() => pelu(args as never)).toThrow(message);
  });
});

describe('PELU in the registry', () => {
  it("is 'pelu', learnable, a = b = 1", () => {
    expect(activationEntry('pelu').learnable).toBe(true);
    const layer = createActivation('pelu');
    expect(layer).toBeInstanceOf(PELU);
    expect(layer.getConfig()).toMatchObject({ initialA: 1, initialB: 1 });
  });
});

describeLayerContract('PELU', { create: () => pelu({ initialA: 1.3, initialB: 0.8 }), inputShape: [4, 3] });
