import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AttentionAReLU, attentionArelu } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { expectClose } from '../helpers/numeric.js';
import { expectUsableInReferenceMlp } from '../helpers/reference_mlp.js';

// The formula of Chen, Li, Xu (2020), in plain JS (float64).
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const clamp = (a: number) => Math.min(Math.max(a, 0.01), 0.99);
const formula = (x: number, alpha: number, beta: number) => (x > 0 ? (1 + sigmoid(beta)) * x : clamp(alpha) * x);
const dfdx = (x: number, alpha: number, beta: number) => (x > 0 ? 1 + sigmoid(beta) : clamp(alpha));
const dfdalpha = (x: number, alpha: number) => (x <= 0 && alpha >= 0.01 && alpha <= 0.99 ? x : 0);
const dfdbeta = (x: number, beta: number) => (x > 0 ? sigmoid(beta) * (1 - sigmoid(beta)) * x : 0);

const POINTS = [-5, -1, -0.25, -1e-3, 0, 1e-3, 0.25, 1, 5];

/** A built layer whose weights are set to (alpha, beta), bypassing the constructor's range check. */
function built(alpha: number, beta: number): AttentionAReLU {
  const layer = attentionArelu();
  layer.build([null, POINTS.length]);
  layer.setWeights([tf.scalar(alpha), tf.scalar(beta)]);
  return layer;
}

const CASES: Array<[number, number]> = [
  [0.9, 2], // the authors' initial values
  [0.25, -1.5],
  [0.01, 0],
  [1.7, 0.5], // alpha above the clamp range: C(alpha) = 0.99
  [-0.4, 3], // alpha below the clamp range: C(alpha) = 0.01
];

describe.each(BACKENDS)('AttentionAReLU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('forward equals the formula at hand-picked points, alpha %s, beta %s', (alpha, beta) => {
    const y = built(alpha, beta).apply(tf.tensor2d([POINTS])) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expectClose(y.dataSync(), POINTS.map((x) => formula(x, alpha, beta)), 1e-6, 1e-6);
  });

  it.each(CASES)('input gradient is 1 + sigmoid(beta) for x > 0, C(alpha) for x <= 0, alpha %s, beta %s', (alpha, beta) => {
    const layer = built(alpha, beta);
    const g = tf.grad((x: tf.Tensor) => (layer.apply(x) as tf.Tensor).sum())(tf.tensor1d(POINTS));
    expectClose(g.dataSync(), POINTS.map((x) => dfdx(x, alpha, beta)), 1e-6, 1e-6);
  });

  it.each(CASES)('alpha and beta gradients follow the formula and the clamp rule, alpha %s, beta %s', (alpha, beta) => {
    const layer = built(alpha, beta);
    const x = tf.tensor1d(POINTS);
    const [alphaVar, betaVar] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, [alphaVar, betaVar]);
    const sum = (f: (v: number) => number) => POINTS.reduce((s, v) => s + f(v), 0);
    expectClose(grads[alphaVar.name].dataSync(), [sum((v) => dfdalpha(v, alpha))], 1e-6, 1e-5);
    expectClose(grads[betaVar.name].dataSync(), [sum((v) => dfdbeta(v, beta))], 1e-6, 1e-5);
  });

  it('casts int32 inputs to float32 and keeps any shape', () => {
    const layer = built(0.5, 0);
    const y = layer.apply(tf.tensor2d([[-2, 0], [3, 1]], undefined, 'int32')) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([2, 2]);
    expectClose(y.dataSync(), [-1, 0, 4.5, 1.5]);
  });

  it('holds two trainable float32 scalar weights, alpha 0.9 and beta 2 by default', () => {
    const layer = attentionArelu();
    layer.build([null, 3]);
    expect(layer.trainableWeights.map((w) => [w.name.split('/').pop()?.replace(/_\d+$/, ''), w.shape, w.dtype])).toEqual([
      ['alpha', [], 'float32'],
      ['beta', [], 'float32'],
    ]);
    expect(layer.nonTrainableWeights).toHaveLength(0);
    expectClose(layer.getWeights().map((w) => w.dataSync()[0]), [0.9, 2]);
  });

  it('is usable after Dense(512) in the reference MLP through the registry, and learns', async () => {
    const acts = await expectUsableInReferenceMlp('attention-arelu', true);
    expect(acts[0]).toBeInstanceOf(AttentionAReLU);
  });
});

describe('AttentionAReLU arguments', () => {
  it.each([
    [{ initialAlpha: 0 }, /AttentionAReLU: initialAlpha must be a finite number >= 0.01 and <= 0.99, got 0\./],
    [{ initialAlpha: 1 }, /initialAlpha must be a finite number >= 0.01 and <= 0.99, got 1\./],
    [{ initialAlpha: Number.NaN }, /initialAlpha must be .*, got NaN/],
    [{ initialBeta: Infinity }, /AttentionAReLU: initialBeta must be a finite number, got Infinity/],
    [{ initialBeta: '2' }, /initialBeta must be a finite number, got "2"/],
    [{ alpha: 0.5 }, /AttentionAReLU: unknown argument 'alpha'/],
  ])('rejects %o', (args, message) => {
    expect(() => attentionArelu(args as never)).toThrow(message);
  });

  it('round-trips its own arguments through getConfig', () => {
    const layer = attentionArelu({ initialAlpha: 0.3, initialBeta: -1 });
    const config = layer.getConfig();
    expect([config.initialAlpha, config.initialBeta]).toEqual([0.3, -1]);
    const copy = AttentionAReLU.fromConfig(AttentionAReLU, config) as AttentionAReLU;
    copy.build([null, 2]);
    expectClose(copy.getWeights().map((w) => w.dataSync()[0]), [0.3, -1]);
  });

  it('is not the class name of Atoum\'s AReLU', () => {
    expect(AttentionAReLU.className).toBe('AttentionAReLU');
  });
});

describeLayerContract('AttentionAReLU', {
  create: () => attentionArelu({ initialAlpha: 0.4, initialBeta: 0.5 }),
  inputShape: [4, 3],
});
