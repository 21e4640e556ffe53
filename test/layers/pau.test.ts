import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PAU_DENOMINATOR, DEFAULT_PAU_NUMERATOR, PAU, pau } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { expectClose } from '../helpers/numeric.js';
import { expectUsableInReferenceMlp } from '../helpers/reference_mlp.js';
import { saveAndLoad } from '../helpers/save_load.js';

// The safe PAU of Molina et al. (2020), in plain JS (float64), with explicit powers (no Horner).
const P = (x: number, a: number[]) => a.reduce((s, aj, j) => s + aj * x ** j, 0);
const Q = (x: number, b: number[]) => 1 + b.reduce((s, bk, k) => s + Math.abs(bk) * Math.abs(x) ** (k + 1), 0);
const formula = (x: number, a: number[], b: number[]) => P(x, a) / Q(x, b);
// Partial derivatives (for x != 0 and b_k != 0).
const dP = (x: number, a: number[]) => a.reduce((s, aj, j) => s + (j === 0 ? 0 : j * aj * x ** (j - 1)), 0);
const dQ = (x: number, b: number[]) =>
  Math.sign(x) * b.reduce((s, bk, k) => s + (k + 1) * Math.abs(bk) * Math.abs(x) ** k, 0);
const dFdx = (x: number, a: number[], b: number[]) => dP(x, a) / Q(x, b) - (P(x, a) * dQ(x, b)) / Q(x, b) ** 2;
const dFda = (x: number, j: number, b: number[]) => x ** j / Q(x, b);
const dFdb = (x: number, k: number, a: number[], b: number[]) =>
  (-Math.sign(b[k]) * Math.abs(x) ** (k + 1) * P(x, a)) / Q(x, b) ** 2;

const A = [0.1, -0.5, 0.3, 0.2, -0.05, 0.02];
const B = [0.4, -1.2, 0.05, 0.3];
const POINTS = [-4, -2.5, -1, -0.3, -1e-3, 0, 1e-3, 0.3, 1, 2.5, 4];

function built(a: number[], b: number[]): PAU {
  return pau({ initialNumerator: a, initialDenominator: b });
}

describe.each(BACKENDS)('PAU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('forward equals P(x)/Q(x) with the safe denominator at hand-picked points, 0 included', () => {
    const y = built(A, B).apply(tf.tensor2d([POINTS])) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expectClose(y.dataSync(), POINTS.map((x) => formula(x, A, B)), 1e-6, 1e-5);
  });

  it('uses |b_k| |x|^k, not |sum b_k x^k| (the two differ for these coefficients)', () => {
    const x = 2;
    const versionB = P(x, A) / (1 + Math.abs(B.reduce((s, bk, k) => s + bk * x ** (k + 1), 0)));
    const y = (built(A, B).apply(tf.tensor1d([x])) as tf.Tensor).dataSync()[0];
    expect(Math.abs(y - formula(x, A, B))).toBeLessThan(1e-6);
    expect(Math.abs(y - versionB)).toBeGreaterThan(0.1);
  });

  it('starts as the authors\' leaky-ReLU (0.01) fit: within 0.034 of it on [-3, 3]', () => {
    const layer = pau();
    const xs = Array.from({ length: 61 }, (_, i) => -3 + i * 0.1);
    const y = Array.from((layer.apply(tf.tensor1d(xs)) as tf.Tensor).dataSync());
    const worst = Math.max(...xs.map((x, i) => Math.abs(y[i] - (x > 0 ? x : 0.01 * x))));
    expect(worst).toBeLessThan(0.034);
    expectClose(y, xs.map((x) => formula(x, [...DEFAULT_PAU_NUMERATOR], [...DEFAULT_PAU_DENOMINATOR])), 1e-6, 1e-5);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[6], [4]]);
  });

  it('input gradient equals the derivative of P/Q away from 0, and at 0 when b_1 = 0', () => {
    const layer = built(A, B);
    const xs = POINTS.filter((x) => x !== 0);
    const g = tf.grad((x: tf.Tensor) => (layer.apply(x) as tf.Tensor).sum())(tf.tensor1d(xs));
    expectClose(g.dataSync(), xs.map((x) => dFdx(x, A, B)), 1e-5, 1e-4);
    const smooth = built(A, [0, ...B.slice(1)]);
    const g0 = tf.grad((x: tf.Tensor) => (smooth.apply(x) as tf.Tensor).sum())(tf.tensor1d([0]));
    expectClose(g0.dataSync(), [A[1]], 1e-6, 1e-5);
  });

  it('coefficient gradients equal x^j/Q and -sign(b_k)|x|^k P/Q^2', () => {
    const layer = built(A, B);
    layer.build([null, POINTS.length]);
    const x = tf.tensor1d(POINTS);
    const [num, den] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, [num, den]);
    const sum = (f: (v: number) => number) => POINTS.reduce((s, v) => s + f(v), 0);
    expectClose(grads[num.name].dataSync(), A.map((_, j) => sum((v) => dFda(v, j, B))), 1e-5, 1e-4);
    expectClose(grads[den.name].dataSync(), B.map((_, k) => sum((v) => dFdb(v, k, A, B))), 1e-5, 1e-4);
  });

  it('accepts other degrees, down to a constant numerator and a single denominator term', () => {
    for (const [a, b] of [
      [[0.5], [2]],
      [[0, 1, 0.5], [0.25, 1]],
    ]) {
      const y = built(a, b).apply(tf.tensor2d([[-2, 0], [1, 3]])) as tf.Tensor;
      expect(y.shape).toEqual([2, 2]);
      expectClose(y.dataSync(), [-2, 0, 1, 3].map((x) => formula(x, a, b)), 1e-6, 1e-5);
    }
  });

  it('is usable after Dense(512) in the reference MLP through the registry, and learns', async () => {
    const acts = await expectUsableInReferenceMlp('pau', true);
    expect(acts[0].trainableWeights.map((w) => w.shape)).toEqual([[6], [4]]);
  });
});

describe('PAU arguments and config', () => {
  it.each([
    [{ initialNumerator: [] }, /PAU: initialNumerator must be an array of 1 to 16 finite numbers, got \[\]\./],
    [{ initialNumerator: 1 }, /initialNumerator must be an array of 1 to 16 finite numbers, got 1\./],
    [{ initialDenominator: new Array(17).fill(0) }, /PAU: initialDenominator must be an array of 1 to 16 finite numbers/],
    [{ initialDenominator: [1, Number.NaN] }, /PAU: initialDenominator\[1\] must be a finite number, got NaN\./],
    [{ numerator: [1] }, /PAU: unknown argument 'numerator'/],
  ])('rejects %o', (args, message) => {
    expect(() => pau(args as never)).toThrow(message);
  });

  it('keeps its initial coefficients in the config and restores trained ones on load', async () => {
    const layer = pau({ name: 'act' });
    expect(layer.getConfig()).toMatchObject({
      initialNumerator: [...DEFAULT_PAU_NUMERATOR],
      initialDenominator: [...DEFAULT_PAU_DENOMINATOR],
    });
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [3] }), layer] });
    layer.setWeights([tf.tensor1d(A), tf.tensor1d(B)]);
    const { loaded } = await saveAndLoad(model);
    expectClose(loaded.getLayer('act').getWeights()[0].dataSync(), A);
    expect(PAU.className).toBe('PAU');
  });
});

describeLayerContract('PAU', {
  create: () => pau({ initialNumerator: A, initialDenominator: B }),
  inputShape: [3, 2],
  kinks: [0],
});
