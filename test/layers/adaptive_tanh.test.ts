import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, AdaptiveTanh, adaptiveTanh, createActivation } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt, setWeight, weightGradients } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

const POINTS = [-6, -2, -0.5, -1e-3, 0, 1e-3, 0.5, 2, 6];
const sech2 = (u: number) => 1 - Math.tanh(u) ** 2;
const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0);

describe.each(BACKENDS)('AdaptiveTanh on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('starts as tanh(x) in both forms', () => {
    expectClose(outputAt(adaptiveTanh(), POINTS), POINTS.map(Math.tanh), 1e-6, 1e-6);
    expectClose(outputAt(adaptiveTanh({ form: 'jagtap' }), POINTS), POINTS.map(Math.tanh), 1e-6, 1e-6);
    expectClose(outputAt(adaptiveTanh({ form: 'jagtap', scale: 3 }), POINTS), POINTS.map(Math.tanh), 1e-6, 1e-6);
  });

  it("'scaled' equals a tanh(b x) for other a, b, with its three derivatives", () => {
    const [a, b] = [1.7, 0.6];
    const layer = adaptiveTanh();
    outputAt(layer, POINTS);
    setWeight(layer, 'a', [a]);
    setWeight(layer, 'b', [b]);
    expectClose(outputAt(layer, POINTS), POINTS.map((x) => a * Math.tanh(b * x)), 1e-6, 1e-6);
    expectClose(derivativeAt(layer, POINTS), POINTS.map((x) => a * b * sech2(b * x)), 1e-6, 1e-5);
    const g = weightGradients(layer, POINTS);
    expectClose(g.a, [sum(POINTS.map((x) => Math.tanh(b * x)))], 1e-5, 1e-5);
    expectClose(g.b, [sum(POINTS.map((x) => a * x * sech2(b * x)))], 1e-5, 1e-5);
  });

  it("'jagtap' equals tanh(n a x) with a starting at 1/n, with its derivatives", () => {
    const n = 5;
    const layer = adaptiveTanh({ form: 'jagtap', scale: n });
    outputAt(layer, POINTS);
    expect(layer.trainableWeights).toHaveLength(1);
    expect(layer.trainableWeights[0].read().dataSync()[0]).toBeCloseTo(1 / n, 7);
    const a = 0.35;
    setWeight(layer, 'a', [a]);
    expectClose(outputAt(layer, POINTS), POINTS.map((x) => Math.tanh(n * a * x)), 1e-6, 1e-6);
    expectClose(derivativeAt(layer, POINTS), POINTS.map((x) => n * a * sech2(n * a * x)), 1e-6, 1e-5);
    expectClose(weightGradients(layer, POINTS).a, [sum(POINTS.map((x) => n * x * sech2(n * a * x)))], 1e-5, 1e-5);
  });

  it('learns one a and b per unit with perUnit', () => {
    const layer = adaptiveTanh({ perUnit: true });
    const x = tf.tensor2d([[-1, 0.5, 2], [0.3, -2, 1]]);
    layer.apply(x);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[3], [3]]);
    setWeight(layer, 'a', [1, 2, 0.5]);
    setWeight(layer, 'b', [0.5, 1, 3]);
    const rows = [[-1, 0.5, 2], [0.3, -2, 1]];
    const expected = rows.flatMap((r) => r.map((v, j) => [1, 2, 0.5][j] * Math.tanh([0.5, 1, 3][j] * v)));
    expectClose((layer.apply(x) as tf.Tensor).dataSync(), expected, 1e-6, 1e-6);
  });

  it('keeps form, scale and perUnit in its config', () => {
    expect(adaptiveTanh().getConfig()).toMatchObject({ form: 'scaled', perUnit: false });
    expect(adaptiveTanh().getConfig().scale).toBeUndefined();
    expect(adaptiveTanh({ form: 'jagtap', scale: 4, perUnit: true }).getConfig()).toMatchObject({
      form: 'jagtap',
      scale: 4,
      perUnit: true,
    });
  });
});

describe('AdaptiveTanh arguments', () => {
  it.each([
    [{ form: 'Jagtap' }, /AdaptiveTanh: form must be one of 'scaled', 'jagtap', got "Jagtap"/],
    [{ form: 1 }, /AdaptiveTanh: form must be one of 'scaled', 'jagtap', got 1/],
    [{ scale: 10 }, /AdaptiveTanh: scale applies to form 'jagtap' only; form is 'scaled'/],
    [{ form: 'jagtap', scale: 0.5 }, /AdaptiveTanh: scale must be a finite number >= 1, got 0.5/],
    [{ form: 'jagtap', scale: Number.NaN }, /AdaptiveTanh: scale must be a finite number >= 1, got NaN/],
    [{ perUnit: 'yes' }, /AdaptiveTanh: perUnit must be true or false, got "yes"/],
    [{ n: 10 }, /AdaptiveTanh: unknown argument 'n'/],
  ])('rejects %o', (args, message) => {
    expect(() => adaptiveTanh(args as never)).toThrow(message);
  });

  it('rejects perUnit when the last input dimension is unknown', () => {
    expect(() => adaptiveTanh({ perUnit: true }).build([null, null])).toThrow(
      /AdaptiveTanh: perUnit needs an input of rank >= 2 \(\[batch, ..., units\]\) whose last dimension is known, got input shape \[null, null\]/,
    );
  });
});

describe('AdaptiveTanh in the registry', () => {
  it("is 'adaptive-tanh', learnable, the scaled form, and takes the jagtap form as an option", () => {
    expect(activationEntry('adaptive-tanh').learnable).toBe(true);
    expect(createActivation('adaptive-tanh')).toBeInstanceOf(AdaptiveTanh);
    expect(createActivation('adaptive-tanh').getConfig()).toMatchObject({ form: 'scaled' });
    expect(createActivation('adaptive-tanh', { form: 'jagtap' }).getConfig()).toMatchObject({ form: 'jagtap', scale: 10 });
  });
});

describeLayerContract('AdaptiveTanh (scaled)', { create: () => adaptiveTanh(), inputShape: [4, 3] });
describeLayerContract('AdaptiveTanh (jagtap, per unit)', {
  create: () => adaptiveTanh({ form: 'jagtap', scale: 2, perUnit: true }),
  inputShape: [4, 3],
});
