import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { APL, apl } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { expectClose } from '../helpers/numeric.js';
import { expectUsableInReferenceMlp } from '../helpers/reference_mlp.js';
import { saveAndLoad } from '../helpers/save_load.js';

// Agostinelli et al. (2015), Eq. (1), in plain JS (float64), for one unit with hinges (a_s, b_s).
const relu = (v: number) => Math.max(0, v);
const formula = (x: number, a: number[], b: number[]) => relu(x) + a.reduce((s, as, i) => s + as * relu(-x + b[i]), 0);
// Its derivative, with the derivative of max(0, .) taken as 0 at the kink (the authors' Caffe layer).
const dfdx = (x: number, a: number[], b: number[]) => (x > 0 ? 1 : 0) - a.reduce((s, as, i) => s + (b[i] - x > 0 ? as : 0), 0);

// Three units, two hinges each: a[s][unit], b[s][unit].
const A = [
  [0.3, -0.2, 1.5],
  [-0.7, 0.4, 0.05],
];
const B = [
  [-1, 0.5, 0],
  [1, -2, 2],
];
const unitA = (j: number) => A.map((row) => row[j]);
const unitB = (j: number) => B.map((row) => row[j]);
/** Points for unit j: 0 and both sides of 0 and of every hinge, plus far points. */
const pointsFor = (j: number) => [-4, -1e-3, 0, 1e-3, 4, ...unitB(j).flatMap((b) => [b - 1e-3, b, b + 1e-3])];
const ROWS = pointsFor(0).map((_, r) => [0, 1, 2].map((j) => pointsFor(j)[r]));

function built(a: number[][] | number[], b: number[][] | number[], perUnit = true): APL {
  const layer = apl({ hinges: a.length, perUnit });
  layer.build([null, perUnit ? (a as number[][])[0].length : 1]);
  layer.setWeights([tf.tensor(a), tf.tensor(b)]);
  return layer;
}

describe.each(BACKENDS)('APL on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('forward equals the formula per unit at 0 and on both sides of every hinge', () => {
    const y = built(A, B).apply(tf.tensor2d(ROWS)) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expectClose(y.dataSync(), ROWS.flatMap((row) => row.map((x, j) => formula(x, unitA(j), unitB(j)))), 1e-6, 1e-6);
  });

  it('input gradient is [x > 0] - sum of a_s where x < b_s', () => {
    const layer = built(A, B);
    const g = tf.grad((x: tf.Tensor) => (layer.apply(x) as tf.Tensor).sum())(tf.tensor2d(ROWS));
    expectClose(g.dataSync(), ROWS.flatMap((row) => row.map((x, j) => dfdx(x, unitA(j), unitB(j)))), 1e-6, 1e-6);
  });

  it('a and b gradients are max(0, b_s - x) and a_s [x < b_s], per unit and hinge', () => {
    const layer = built(A, B);
    const x = tf.tensor2d(ROWS);
    const [aVar, bVar] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, [aVar, bVar]);
    const per = (f: (v: number, s: number, j: number) => number) =>
      [0, 1].flatMap((s) => [0, 1, 2].map((j) => ROWS.reduce((acc, row) => acc + f(row[j], s, j), 0)));
    expectClose(grads[aVar.name].dataSync(), per((v, s, j) => relu(B[s][j] - v)), 1e-5, 1e-5);
    expectClose(grads[bVar.name].dataSync(), per((v, s, j) => (B[s][j] - v > 0 ? A[s][j] : 0)), 1e-5, 1e-5);
  });

  it('shares [S] weights across units with perUnit: false (S = 3) and handles rank-3 inputs', () => {
    const a = [0.5, -0.25, 0.1];
    const b = [-1.5, 0.3, 1];
    const layer = built(a, b, false);
    expect(layer.weights.map((w) => w.shape)).toEqual([[3], [3]]);
    const xs = [-3, -1.5, -1, 0, 0.3, 0.5, 1, 2.5];
    const y = layer.apply(tf.tensor3d(xs, [2, 2, 2])) as tf.Tensor;
    expect(y.shape).toEqual([2, 2, 2]);
    expectClose(y.dataSync(), xs.map((x) => formula(x, a, b)), 1e-6, 1e-6);
  });

  it('works with a single hinge (S = 1)', () => {
    const layer = built([[0.8, -0.3]], [[0.5, -0.5]]);
    const xs = [-2, 0, 0.25, 1];
    const y = layer.apply(tf.tensor2d(xs, [2, 2])) as tf.Tensor;
    expectClose(y.dataSync(), xs.map((x, i) => formula(x, [[0.8, -0.3][i % 2]], [[0.5, -0.5][i % 2]])), 1e-6, 1e-6);
  });

  it('initializes a in [-0.5/S, 0.5/S] and b from N(0, 0.5²), per unit by default', () => {
    const layer = apl();
    layer.build([null, 256]);
    const [a, b] = layer.getWeights();
    expect([a.shape, b.shape]).toEqual([[2, 256], [2, 256]]);
    const av = Array.from(a.dataSync());
    expect(Math.max(...av.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...av)).toBeGreaterThan(0.2); // uses the whole range, not tfjs' default +-0.05
    const bv = Array.from(b.dataSync());
    const sd = Math.sqrt(bv.reduce((s, v) => s + v * v, 0) / bv.length);
    expect(sd).toBeGreaterThan(0.4);
    expect(sd).toBeLessThan(0.6);
  });

  it('adds the L2 penalties of aRegularizer and bRegularizer to the layer losses', () => {
    const layer = apl({ hinges: 1, aRegularizer: tf.regularizers.l2({ l2: 0.001 }), bRegularizer: tf.regularizers.l2({ l2: 0.01 }) });
    layer.apply(tf.zeros([1, 2]));
    layer.setWeights([tf.tensor2d([[1, -2]]), tf.tensor2d([[3, 0.5]])]);
    const losses = layer.losses.map((l) => (l as unknown as () => tf.Scalar)().dataSync()[0]);
    expectClose(losses, [0.001 * (1 + 4), 0.01 * (9 + 0.25)], 1e-7, 1e-5);
  });

  it('is usable after Dense(512) in the reference MLP through the registry, and learns', async () => {
    const acts = await expectUsableInReferenceMlp('apl', true);
    expect(acts[0].trainableWeights.map((w) => w.shape)).toEqual([[2, 512], [2, 512]]);
  });
});

describe('APL arguments and config', () => {
  it.each([
    [{ hinges: 0 }, /APL: hinges must be a finite integer >= 1 and <= 64, got 0\./],
    [{ hinges: 2.5 }, /hinges must be a finite integer >= 1 and <= 64, got 2.5/],
    [{ hinges: 65 }, /got 65/],
    [{ perUnit: 'yes' }, /APL: perUnit must be true or false, got "yes"/],
    [{ aInitializer: 0.2 }, /APL: aInitializer must be a tfjs initializer .* got 0.2/],
    [{ bRegularizer: tf.initializers.zeros() }, /APL: bRegularizer must be a tfjs regularizer/],
    [{ S: 2 }, /APL: unknown argument 'S'/],
  ])('rejects %o', (args, message) => {
    expect(() => apl(args as never)).toThrow(message);
  });

  it('round-trips hinges, perUnit, initializers and regularizers through getConfig', () => {
    const layer = apl({ hinges: 3, perUnit: false, aRegularizer: tf.regularizers.l2({ l2: 0.001 }) });
    const config = layer.getConfig();
    expect(config).toMatchObject({
      hinges: 3,
      perUnit: false,
      aInitializer: { className: 'RandomUniform', config: { minval: -0.5 / 3, maxval: 0.5 / 3 } },
      bInitializer: { className: 'RandomNormal', config: { mean: 0, stddev: 0.5 } },
      aRegularizer: { className: 'L1L2', config: { l1: 0, l2: 0.001 } },
      bRegularizer: null,
    });
    expect((APL.fromConfig(APL, config) as APL).getConfig()).toEqual(config);
  });

  it('restores a saved model with its regularizer', async () => {
    const layer = apl({ name: 'act', bRegularizer: tf.regularizers.l2({ l2: 0.001 }) });
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [4] }), layer] });
    const { loaded } = await saveAndLoad(model);
    const restored = loaded.getLayer('act');
    expect(restored.getConfig().bRegularizer).toEqual({ className: 'L1L2', config: { l1: 0, l2: 0.001 } });
    expect(restored.losses).toHaveLength(1);
  });
});

// Fixed weights (through the `weights` layer argument) so that the kinks are known.
const CONTRACT_A = [
  [0.4, -0.3, 0.6],
  [-0.5, 0.2, 0.3],
];
const CONTRACT_B = [
  [-1, -1, -1],
  [1.5, 1.5, 1.5],
];
describeLayerContract('APL per unit', {
  create: () => apl({ weights: [tf.tensor2d(CONTRACT_A), tf.tensor2d(CONTRACT_B)] }),
  inputShape: [2, 3],
  kinks: [0, -1, 1.5],
});
describeLayerContract('APL shared', {
  create: () => apl({ hinges: 3, perUnit: false, weights: [tf.tensor1d([0.3, -0.4, 0.2]), tf.tensor1d([-2, -0.5, 1])] }),
  inputShape: [5],
  kinks: [0, -2, -0.5, 1],
});
