import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, CELU, celu, createActivation } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Barron (2017): max(0, x) + min(0, alpha (exp(x / alpha) - 1)), in float64. */
const formula = (x: number, alpha: number) => Math.max(0, x) + Math.min(0, alpha * (Math.exp(x / alpha) - 1));
const derivative = (x: number, alpha: number) => (x >= 0 ? 1 : Math.exp(x / alpha));

const POINTS = [-20, -5, -1, -0.25, -1e-3, 0, 1e-3, 0.25, 1, 5, 20];

describe.each(BACKENDS)('CELU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([1, 0.5, 2, 4.5])('equals max(0, x) + min(0, alpha(exp(x/alpha) - 1)), alpha %s', (alpha) => {
    expectClose(outputAt(celu({ alpha }), POINTS), POINTS.map((x) => formula(x, alpha)), 1e-6, 1e-6);
  });

  it.each([1, 0.5, 2, 4.5])('has the derivative 1 for x >= 0 and exp(x/alpha) below, continuous at 0, alpha %s', (alpha) => {
    const d = derivativeAt(celu({ alpha }), POINTS);
    expectClose(d, POINTS.map((x) => derivative(x, alpha)), 1e-6, 1e-5);
    const i = POINTS.indexOf(0);
    expect(Math.abs(d[i - 1] - d[i + 1])).toBeLessThan(1e-2 / alpha);
  });

  it.each([0.3, 0.1])('has a derivative >= 0 far on the negative side, where y + alpha cancels (alpha %s)', (alpha) => {
    // exp(x / alpha) is below float32's resolution at 1 there: the derivative from the rounded y
    // is 0 (or tiny), never negative (it was -4e-8 on cpu).
    const xs = Array.from({ length: 200 }, (_, i) => -3 - i * 0.2);
    const d = derivativeAt(celu({ alpha }), xs);
    xs.forEach((x, i) => {
      expect(d[i], `x = ${x}`).toBeGreaterThanOrEqual(0);
      expect(Math.abs(d[i] - derivative(x, alpha)), `x = ${x}`).toBeLessThan(2e-7);
    });
  });

  it("equals tfjs' ELU for alpha = 1", () => {
    const x = tf.tensor2d([POINTS]);
    expectClose((celu().apply(x) as tf.Tensor).dataSync(), (tf.layers.elu().apply(x) as tf.Tensor).dataSync(), 0, 0);
  });
});

describe('CELU arguments', () => {
  it.each([
    [{ alpha: 0 }, /CELU: alpha must be a finite number > 0 and <= 8\.507059173023462e\+37, got 0/],
    [{ alpha: -0.5 }, /CELU: alpha must be a finite number > 0 and <= 8\.507059173023462e\+37, got -0.5/],
    [{ alpha: Infinity }, /CELU: alpha must be a finite number > 0 and <= 8\.507059173023462e\+37, got Infinity/],
    // Beyond 2^126, 1 / alpha is subnormal in float32 (the wasm kernel lost accuracy; review).
    [{ alpha: 3e38 }, /CELU: alpha must be a finite number > 0 and <= 8\.507059173023462e\+37, got 3e\+38/],
    [{ alpha: 1e-40 }, /CELU: alpha must be a finite number > 0 and <= 8\.507059173023462e\+37 that float32 can hold \(1\.1754943508222875e-38 <= \|value\| <= 3\.4028234663852886e\+38\), got 1e-40/],
    [{ alpha: true }, /CELU: alpha must be a finite number > 0 and <= 8\.507059173023462e\+37, got true/],
    [{ beta: 1 }, /CELU: unknown argument 'beta'/],
  ])('rejects %o', (args, message) => {
    expect(() => celu(args as never)).toThrow(message);
  });
});

describe('CELU in the registry', () => {
  it("is 'celu', not learnable, alpha 1", () => {
    expect(activationEntry('celu').learnable).toBe(false);
    expect(createActivation('celu')).toBeInstanceOf(CELU);
    expect(createActivation('celu').getConfig()).toMatchObject({ alpha: 1 });
  });
});

describeLayerContract('CELU', { create: () => celu({ alpha: 0.6 }), inputShape: [4, 3] });
