import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, AlphaELU, alphaELU, createActivation } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Clevert et al. (2016): x for x > 0, alpha (exp(x) - 1) for x <= 0, in float64. */
const formula = (x: number, alpha: number) => (x > 0 ? x : alpha * (Math.exp(x) - 1));
const derivative = (x: number, alpha: number) => (x > 0 ? 1 : alpha * Math.exp(x));

const POINTS = [-20, -5, -1, -0.25, -1e-3, 0, 1e-3, 0.25, 1, 5, 20];

describe.each(BACKENDS)('AlphaELU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([1, 0.5, 1.7, 3])('equals the ELU formula at hand-picked points, alpha %s', (alpha) => {
    expectClose(outputAt(alphaELU({ alpha }), POINTS), POINTS.map((x) => formula(x, alpha)), 1e-6, 1e-6);
  });

  it.each([1, 0.5, 1.7, 3])('has the derivative 1 for x > 0 and alpha exp(x) for x <= 0 (at 0 too), alpha %s', (alpha) => {
    expectClose(derivativeAt(alphaELU({ alpha }), POINTS), POINTS.map((x) => derivative(x, alpha)), 1e-6, 1e-5);
  });

  it("matches tfjs' own ELU layer for alpha = 1", () => {
    const x = tf.tensor2d([POINTS]);
    const ours = (alphaELU().apply(x) as tf.Tensor).dataSync();
    expectClose(ours, (tf.layers.elu().apply(x) as tf.Tensor).dataSync(), 0, 0);
  });

  it('defaults to alpha 1 and keeps alpha in its config', () => {
    expect(alphaELU().getConfig()).toMatchObject({ alpha: 1 });
    expect(alphaELU({ alpha: 0.3 }).getConfig()).toMatchObject({ alpha: 0.3 });
  });
});

describe('AlphaELU arguments', () => {
  it.each([
    [{ alpha: 0 }, /AlphaELU: alpha must be a finite number > 0, got 0/],
    [{ alpha: -1 }, /AlphaELU: alpha must be a finite number > 0, got -1/],
    [{ alpha: Number.NaN }, /AlphaELU: alpha must be a finite number > 0, got NaN/],
    [{ alpha: '2' }, /AlphaELU: alpha must be a finite number > 0, got "2"/],
    [{ alfa: 2 }, /AlphaELU: unknown argument 'alfa'/],
  ])('rejects %o', (args, message) => {
    expect(() => alphaELU(args as never)).toThrow(message);
  });
});

describe('AlphaELU in the registry', () => {
  it("is 'elu-alpha', not learnable, alpha 1, and accepts other alphas", () => {
    expect(activationEntry('elu-alpha').learnable).toBe(false);
    expect(createActivation('elu-alpha')).toBeInstanceOf(AlphaELU);
    expect(createActivation('elu-alpha').getConfig()).toMatchObject({ alpha: 1 });
    expect(createActivation('elu-alpha', { alpha: 2 }).getConfig()).toMatchObject({ alpha: 2 });
  });
});

describeLayerContract('AlphaELU', { create: () => alphaELU({ alpha: 1.7 }), inputShape: [4, 3], kinks: [0] });
