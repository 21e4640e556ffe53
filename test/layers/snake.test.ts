import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, createActivation, Snake, snake, SNAKE_MIN_ABS_A } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt, setWeight, weightGradients } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Ziyin et al. (2020): x + sin^2(a x) / a, in float64, and its derivatives. */
const formula = (x: number, a: number) => x + Math.sin(a * x) ** 2 / a;
const dx = (x: number, a: number) => 1 + Math.sin(2 * a * x);
const da = (x: number, a: number) => (x * Math.sin(2 * a * x)) / a - Math.sin(a * x) ** 2 / (a * a);
const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0);

const POINTS = [-7, -Math.PI, -1.3, -0.2, 0, 0.2, 1.3, Math.PI, 7, 12];

describe.each(BACKENDS)('Snake on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('defaults to a learnable a = 0.5', () => {
    const layer = snake();
    expectClose(outputAt(layer, POINTS), POINTS.map((x) => formula(x, 0.5)), 1e-6, 1e-6);
    expect(layer.trainableWeights).toHaveLength(1);
    expect(layer.trainableWeights[0].read().dataSync()[0]).toBe(0.5);
  });

  it.each([0.5, 2, 7.5, -0.7])('equals x + sin^2(a x)/a with its derivatives, learnable a = %s', (a) => {
    const layer = snake({ a });
    expectClose(outputAt(layer, POINTS), POINTS.map((x) => formula(x, a)), 1e-5, 1e-5);
    expectClose(derivativeAt(layer, POINTS), POINTS.map((x) => dx(x, a)), 1e-5, 1e-4);
    expectClose(weightGradients(layer, POINTS).a, [sum(POINTS.map((x) => da(x, a)))], 1e-4, 1e-4);
  });

  it.each([0.5, 3])('equals x + sin^2(a x)/a for a fixed a = %s, with no weights', (a) => {
    const layer = snake({ a, learnable: false });
    expectClose(outputAt(layer, POINTS), POINTS.map((x) => formula(x, a)), 1e-5, 1e-5);
    expectClose(derivativeAt(layer, POINTS), POINTS.map((x) => dx(x, a)), 1e-5, 1e-4);
    expect(layer.weights).toHaveLength(0);
  });

  it.each([0, -0, 1e-9, -1e-9, 5e-7, -5e-7])('stays finite when training drives a to %s: f -> x, df/da -> x^2', (a) => {
    const points = [-3, -1, 0, 0.5, 2];
    // The documented guard: |a| < 1e-6 is used as a +- 1e-6 (sign of a, + for 0).
    const used = Math.abs(a) >= SNAKE_MIN_ABS_A ? a : a + (a >= 0 ? 1 : -1) * SNAKE_MIN_ABS_A;
    const layer = snake();
    outputAt(layer, points);
    setWeight(layer, 'a', [a]);
    const y = outputAt(layer, points);
    expectClose(y, points.map((x) => formula(x, used)), 1e-6, 1e-7);
    expectClose(y, points, 2e-5, 0);
    expectClose(derivativeAt(layer, points), points.map((x) => dx(x, used)), 1e-5, 1e-5);
    const g = weightGradients(layer, points).a;
    expect(Number.isFinite(g[0])).toBe(true);
    expectClose(g, [sum(points.map((x) => x * x))], 0, 2e-2);
  });

  it('learns one a per unit with perUnit', () => {
    const layer = snake({ perUnit: true });
    const rows = [[-1, 0.5, 2], [0.3, -2, 1]];
    const x = tf.tensor2d(rows);
    layer.apply(x);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[3]]);
    const as = [0.5, 0, 3];
    setWeight(layer, 'a', as);
    const expected = rows.flatMap((r) => r.map((v, j) => (as[j] === 0 ? v : formula(v, as[j]))));
    expectClose((layer.apply(x) as tf.Tensor).dataSync(), expected, 1e-5, 1e-5);
  });

  it('keeps a, learnable and perUnit in its config', () => {
    expect(snake({ a: 2, perUnit: true }).getConfig()).toMatchObject({ a: 2, learnable: true, perUnit: true });
    expect(snake({ learnable: false }).getConfig()).toMatchObject({ a: 0.5, learnable: false, perUnit: false });
  });
});

describe('Snake arguments', () => {
  it.each([
    [{ a: 0 }, /Snake: a must be a finite number != 0, got 0/],
    [{ a: Number.NaN }, /Snake: a must be a finite number, got NaN/],
    [{ learnable: 0 }, /Snake: learnable must be true or false, got 0/],
    [{ perUnit: null }, /Snake: perUnit must be true or false, got null/],
    [{ perUnit: true, learnable: false }, /Snake: perUnit needs learnable: true/],
    [{ alpha: 1 }, /Snake: unknown argument 'alpha'/],
  ])('rejects %o', (args, message) => {
    expect(() => snake(args as never)).toThrow(message);
  });
});

describe('Snake in the registry', () => {
  it("is 'snake', learnable, a from 0.5", () => {
    expect(activationEntry('snake').learnable).toBe(true);
    const layer = createActivation('snake');
    expect(layer).toBeInstanceOf(Snake);
    expect(layer.getConfig()).toMatchObject({ a: 0.5, learnable: true });
  });
});

describeLayerContract('Snake', { create: () => snake({ a: 0.9 }), inputShape: [4, 3] });
describeLayerContract('Snake (fixed a)', { create: () => snake({ a: 1.5, learnable: false }), inputShape: [4, 3] });
describeLayerContract('Snake (per unit)', { create: () => snake({ perUnit: true }), inputShape: [4, 3] });
