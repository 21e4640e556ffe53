import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SReLU, srelu } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { expectClose } from '../helpers/numeric.js';
import { expectUsableInReferenceMlp } from '../helpers/reference_mlp.js';
import { saveAndLoad } from '../helpers/save_load.js';

/** One unit's parameters: [t_l, a_l, t_r, a_r]. */
type Params = [number, number, number, number];

// Jin et al. (2016), Eq. (1), in plain JS (float64).
function formula(x: number, [tl, al, tr, ar]: Params): number {
  if (x >= tr) return tr + ar * (x - tr);
  if (x > tl) return x;
  return tl + al * (x - tl);
}
// Its derivative; at x = t_r exactly the layer takes the middle piece's slope 1 (documented).
function derivative(x: number, [tl, al, tr, ar]: Params): number {
  if (x > tr) return ar;
  if (x > tl) return 1;
  return al;
}

// Three units with different parameters, including a convex one (a_r > 1) and a negative slope.
const UNITS: Params[] = [
  [-1, 0.2, 1, 0.5],
  [0, 0.01, 2, 1.5],
  [-0.5, -0.3, 0.25, 0],
];
/** Points around both kinks of every unit: far below, just below, at, just above, between, far above. */
function pointsFor([tl, , tr]: Params): number[] {
  return [tl - 3, tl - 1e-3, tl, tl + 1e-3, (tl + tr) / 2, tr - 1e-3, tr, tr + 1e-3, tr + 3, 0];
}
const ROWS = UNITS.map(pointsFor)[0].map((_, r) => UNITS.map((u) => pointsFor(u)[r]));

function built(units: Params[], perUnit = true): SReLU {
  const layer = srelu({ perUnit });
  layer.build([null, perUnit ? units.length : 1]);
  const columns = [0, 1, 2, 3].map((k) => units.map((u) => u[k]));
  layer.setWeights(columns.map((c) => (perUnit ? tf.tensor1d(c) : tf.scalar(c[0]))));
  return layer;
}

describe.each(BACKENDS)('SReLU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('forward equals the three-piece formula per unit at 0 and on both sides of both kinks', () => {
    const y = built(UNITS).apply(tf.tensor2d(ROWS)) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expectClose(y.dataSync(), ROWS.flatMap((row) => row.map((x, j) => formula(x, UNITS[j]))), 1e-6, 1e-6);
  });

  it('input gradient is a_l at and below t_l, 1 between, a_r above t_r', () => {
    const layer = built(UNITS);
    const g = tf.grad((x: tf.Tensor) => (layer.apply(x) as tf.Tensor).sum())(tf.tensor2d(ROWS));
    expectClose(g.dataSync(), ROWS.flatMap((row) => row.map((x, j) => derivative(x, UNITS[j]))), 1e-6, 1e-6);
  });

  it('parameter gradients follow the formula, per unit', () => {
    const layer = built(UNITS);
    const x = tf.tensor2d(ROWS);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, vars);
    const perUnit = (f: (v: number, p: Params) => number) =>
      UNITS.map((p, j) => ROWS.reduce((s, row) => s + f(row[j], p), 0));
    const expected = [
      perUnit((v, [tl, al]) => (v <= tl ? 1 - al : 0)), // d/dt_l
      perUnit((v, [tl]) => (v <= tl ? v - tl : 0)), // d/da_l
      perUnit((v, [, , tr, ar]) => (v > tr ? 1 - ar : 0)), // d/dt_r
      perUnit((v, [, , tr]) => (v > tr ? v - tr : 0)), // d/da_r
    ];
    vars.forEach((v, k) => expectClose(grads[v.name].dataSync(), expected[k], 1e-5, 1e-5));
  });

  it('shares one set of scalar parameters across units with perUnit: false', () => {
    const p: Params = [-1, 0.1, 0.5, 2];
    const layer = built([p], false);
    expect(layer.weights.map((w) => w.shape)).toEqual([[], [], [], []]);
    const xs = [-4, -1, -0.5, 0, 0.5, 0.75, 3];
    const y = layer.apply(tf.tensor2d([xs.slice(0, 4), xs.slice(3)])) as tf.Tensor;
    expectClose(y.dataSync(), [...xs.slice(0, 4), ...xs.slice(3)].map((x) => formula(x, p)), 1e-6, 1e-6);
  });

  it('computes x + (a_l - 1) min(x - t_l, 0) + (a_r - 1) max(x - t_r, 0) when t_l > t_r', () => {
    const [tl, al, tr, ar] = [1, 0.5, -1, 2];
    const layer = built([[tl, al, tr, ar]], false);
    const xs = [-3, -1, 0, 1, 3];
    const y = layer.apply(tf.tensor1d(xs)) as tf.Tensor;
    const sumForm = (x: number) => x + (al - 1) * Math.min(x - tl, 0) + (ar - 1) * Math.max(x - tr, 0);
    expectClose(y.dataSync(), xs.map(sumForm), 1e-6, 1e-6);
  });

  it('starts as the leaky ReLU t_l 0, a_l 0.01, t_r 1, a_r 1, with per-unit [units] weights', () => {
    const layer = srelu();
    const xs = [-2, -0.5, 0, 0.5, 1, 4];
    const y = layer.apply(tf.tensor2d([xs])) as tf.Tensor;
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[6], [6], [6], [6]]);
    expectClose(y.dataSync(), xs.map((x) => (x > 0 ? x : 0.01 * x)), 1e-7, 1e-6);
  });

  it('is usable after Dense(512) in the reference MLP through the registry, and learns', async () => {
    const acts = await expectUsableInReferenceMlp('srelu', true);
    expect(acts[0].trainableWeights.map((w) => w.shape)).toEqual([[512], [512], [512], [512]]);
  });
});

describe('SReLU arguments and config', () => {
  it.each([
    [{ perUnit: 1 }, /SReLU: perUnit must be true or false, got 1\./],
    [{ tLeftInitializer: 'zeros' }, /SReLU: tLeftInitializer must be a tfjs initializer .* got "zeros"\./],
    [{ aRightInitializer: { className: 'NoSuchInit', config: {} } }, /aRightInitializer .*no tfjs class named 'NoSuchInit'/],
    [{ aLeftInitializer: tf.regularizers.l2() }, /aLeftInitializer must be a tfjs initializer/],
    [{ aLeftInitializer: { className: 'L1L2', config: { l1: 0, l2: 0.1 } } }, /'L1L2' is not an initializer/],
    [{ tLeft: 0 }, /SReLU: unknown argument 'tLeft'/],
  ])('rejects %o', (args, message) => {
    expect(() => srelu(args as never)).toThrow(message);
  });

  it('needs a feature axis of known size for per-unit parameters, and none when shared', () => {
    for (const shape of [[5], [null, null], [4, 3, null]]) {
      expect(() => srelu().build(shape)).toThrow(`SReLU: perUnit needs an input of rank >= 2 ([batch, ..., units]) whose last dimension is known, got input shape [${shape.map(String).join(", ")}].`);
    }
    const shared = srelu({ perUnit: false });
    shared.build([5]);
    expect(shared.trainableWeights.map((w) => w.shape)).toEqual([[], [], [], []]);
  });

  it('serializes its initializers and restores them from the config', () => {
    const layer = srelu({ perUnit: false, aLeftInitializer: tf.initializers.randomUniform({ minval: 0.1, maxval: 1, seed: 3 }) });
    const config = layer.getConfig();
    expect(config.perUnit).toBe(false);
    expect(config.tLeftInitializer).toEqual({ className: 'Constant', config: { value: 0 } });
    expect(config.aLeftInitializer).toEqual({ className: 'RandomUniform', config: { minval: 0.1, maxval: 1, seed: 3 } });
    const copy = SReLU.fromConfig(SReLU, config) as SReLU;
    expect(copy.getConfig()).toEqual(config);
  });

  it('restores a saved model with its initializer config and weights', async () => {
    const layer = srelu({ tRightInitializer: tf.initializers.constant({ value: 0.7 }), name: 'act' });
    const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: [3] }), layer] });
    layer.setWeights([tf.tensor1d([0, -1, 0.5]), tf.tensor1d([0.1, 0.2, 0.3]), tf.tensor1d([1, 2, 3]), tf.tensor1d([2, 1, 0.5])]);
    const { loaded } = await saveAndLoad(model);
    const restored = loaded.getLayer('act') as SReLU;
    expect(restored.getConfig().tRightInitializer).toEqual({ className: 'Constant', config: { value: 0.7 } });
    expectClose(restored.getWeights()[2].dataSync(), [1, 2, 3]);
  });
});

describeLayerContract('SReLU per unit', {
  create: () =>
    srelu({
      tLeftInitializer: tf.initializers.constant({ value: -1 }),
      aLeftInitializer: tf.initializers.constant({ value: 0.2 }),
      tRightInitializer: tf.initializers.constant({ value: 1 }),
      aRightInitializer: tf.initializers.constant({ value: 0.5 }),
    }),
  inputShape: [2, 3],
  kinks: [-1, 1],
});

describeLayerContract('SReLU shared', {
  create: () =>
    srelu({
      perUnit: false,
      tLeftInitializer: tf.initializers.constant({ value: -0.5 }),
      aLeftInitializer: tf.initializers.constant({ value: 0.1 }),
      tRightInitializer: tf.initializers.constant({ value: 1.5 }),
      aRightInitializer: tf.initializers.constant({ value: 2 }),
    }),
  inputShape: [5],
  kinks: [-0.5, 1.5],
});
