import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AconC, aconC } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { expectClose } from '../helpers/numeric.js';
import { expectUsableInReferenceMlp } from '../helpers/reference_mlp.js';

/** One unit's parameters: [p1, p2, beta]. */
type Params = [number, number, number];

// Ma et al. (2021), ACON-C, in plain JS (float64).
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const formula = (x: number, [p1, p2, beta]: Params) => (p1 - p2) * x * sigmoid(beta * (p1 - p2) * x) + p2 * x;
// Partial derivatives, written out by hand (d = p1 - p2, u = beta d x, s = sigmoid(u)).
function partials(x: number, [p1, p2, beta]: Params): { x: number; p1: number; p2: number; beta: number } {
  const d = p1 - p2;
  const u = beta * d * x;
  const s = sigmoid(u);
  const dfdd = x * (s + u * s * (1 - s));
  return { x: d * (s + u * s * (1 - s)) + p2, p1: dfdd, p2: x - dfdd, beta: d * d * x * x * s * (1 - s) };
}

const UNITS: Params[] = [
  [1, 0, 1], // Swish
  [1, 0.25, 20], // close to max(x, 0.25 x)
  [-0.8, 1.3, 0.5],
  [0.6, 0.6, 3], // p1 = p2: the line 0.6 x
];
const POINTS = [-6, -1, -0.1, 0, 0.1, 1, 6];
const ROWS = POINTS.map((x, r) => UNITS.map((_, j) => x * (1 + 0.1 * j) * (r % 2 === 0 ? 1 : -1)));

function built(units: Params[], perUnit = true): AconC {
  const layer = aconC({ perUnit });
  layer.build([null, perUnit ? units.length : 1]);
  layer.setWeights([0, 1, 2].map((k) => (perUnit ? tf.tensor1d(units.map((u) => u[k])) : tf.scalar(units[0][k]))));
  return layer;
}

describe.each(BACKENDS)('AconC on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('forward equals the formula per unit at hand-picked points, 0 included', () => {
    const y = built(UNITS).apply(tf.tensor2d(ROWS)) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expectClose(y.dataSync(), ROWS.flatMap((row) => row.map((x, j) => formula(x, UNITS[j]))), 1e-6, 1e-5);
  });

  it('is Swish for p1 = 1, p2 = 0, beta = 1, and near max(p1 x, p2 x) for a large beta', () => {
    const xs = [-3, -0.5, 0, 0.5, 3];
    const swish = built([[1, 0, 1]], false).apply(tf.tensor1d(xs)) as tf.Tensor;
    expectClose(swish.dataSync(), xs.map((x) => x / (1 + Math.exp(-x))), 1e-6, 1e-5);
    const sharp = built([[1, 0.25, 200]], false).apply(tf.tensor1d(xs)) as tf.Tensor;
    expectClose(sharp.dataSync(), xs.map((x) => Math.max(x, 0.25 * x)), 1e-3, 0);
  });

  it('input and parameter gradients equal the hand-derived partial derivatives', () => {
    const layer = built(UNITS);
    const x = tf.tensor2d(ROWS);
    const gx = tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).sum())(x);
    expectClose(gx.dataSync(), ROWS.flatMap((row) => row.map((v, j) => partials(v, UNITS[j]).x)), 1e-5, 1e-4);
    const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, vars);
    (['p1', 'p2', 'beta'] as const).forEach((name, k) => {
      const expected = UNITS.map((p, j) => ROWS.reduce((s, row) => s + partials(row[j], p)[name], 0));
      expectClose(grads[vars[k].name].dataSync(), expected, 1e-4, 1e-4);
    });
  });

  it('shares scalar p1, p2, beta with perUnit: false', () => {
    const p: Params = [1.2, -0.3, 2];
    const layer = built([p], false);
    expect(layer.weights.map((w) => w.shape)).toEqual([[], [], []]);
    const y = layer.apply(tf.tensor2d([POINTS.slice(0, 3), POINTS.slice(4)])) as tf.Tensor;
    expectClose(y.dataSync(), [...POINTS.slice(0, 3), ...POINTS.slice(4)].map((x) => formula(x, p)), 1e-6, 1e-5);
  });

  it('initializes p1, p2 from N(0, 1) and beta to 1, per unit', () => {
    const layer = aconC();
    layer.build([null, 2000]);
    const [p1, p2, beta] = layer.getWeights().map((w) => Array.from(w.dataSync()));
    for (const p of [p1, p2]) {
      const mean = p.reduce((s, v) => s + v, 0) / p.length;
      const sd = Math.sqrt(p.reduce((s, v) => s + (v - mean) ** 2, 0) / p.length);
      expect(Math.abs(mean)).toBeLessThan(0.1);
      expect(Math.abs(sd - 1)).toBeLessThan(0.1);
    }
    expect(p1).not.toEqual(p2);
    expect(new Set(beta)).toEqual(new Set([1]));
  });

  it('is usable after Dense(512) in the reference MLP through the registry, and learns', async () => {
    const acts = await expectUsableInReferenceMlp('acon-c', true);
    expect(acts[0].trainableWeights.map((w) => w.shape)).toEqual([[512], [512], [512]]);
  });
});

describe('AconC arguments and config', () => {
  it.each([
    [{ perUnit: null }, /AconC: perUnit must be true or false, got null\./],
    [{ betaInitializer: 1 }, /AconC: betaInitializer must be a tfjs initializer .* got 1\./],
    [{ p1Initializer: { className: 'RandomNormal' } }, /p1Initializer must be a tfjs initializer/],
    [{ beta: 1 }, /AconC: unknown argument 'beta'/],
  ])('rejects %o', (args, message) => {
    expect(() => aconC(args as never)).toThrow(message);
  });

  it('round-trips perUnit and its initializers through getConfig', () => {
    const layer = aconC({ perUnit: false, p2Initializer: tf.initializers.constant({ value: 0.25 }) });
    const config = layer.getConfig();
    expect(config).toMatchObject({
      perUnit: false,
      p1Initializer: { className: 'RandomNormal', config: { mean: 0, stddev: 1 } },
      p2Initializer: { className: 'Constant', config: { value: 0.25 } },
      betaInitializer: { className: 'Ones', config: {} },
    });
    expect((AconC.fromConfig(AconC, config) as AconC).getConfig()).toEqual(config);
  });
});

const seeded = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 1, seed });
describeLayerContract('AconC per unit', {
  create: () => aconC({ p1Initializer: seeded(1), p2Initializer: seeded(2), betaInitializer: tf.initializers.constant({ value: 1.5 }) }),
  inputShape: [2, 4],
  kinks: [],
});
describeLayerContract('AconC shared', {
  create: () => aconC({ perUnit: false, p1Initializer: tf.initializers.constant({ value: 1.1 }), p2Initializer: tf.initializers.constant({ value: 0.2 }) }),
  inputShape: [6],
  kinks: [],
});
