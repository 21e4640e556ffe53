import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, createActivation, SwishBeta, swishBeta } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt, setWeight, sigmoid, weightGradients } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Ramachandran et al. (2017): x sigmoid(beta x), in float64, and its two derivatives. */
const formula = (x: number, beta: number) => x * sigmoid(beta * x);
const dx = (x: number, beta: number) => sigmoid(beta * x) + beta * x * sigmoid(beta * x) * (1 - sigmoid(beta * x));
const dbeta = (x: number, beta: number) => x * x * sigmoid(beta * x) * (1 - sigmoid(beta * x));

const POINTS = [-8, -3, -1, -0.2, 0, 0.2, 1, 3, 8];

describe.each(BACKENDS)('SwishBeta on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([1, 0, 0.4, 2.5, -1])('equals x sigmoid(beta x) with its derivatives, beta = %s', (beta) => {
    const layer = swishBeta({ initialBeta: beta });
    expectClose(outputAt(layer, POINTS), POINTS.map((x) => formula(x, beta)), 1e-6, 1e-6);
    expectClose(derivativeAt(layer, POINTS), POINTS.map((x) => dx(x, beta)), 1e-6, 1e-5);
    const sum = POINTS.reduce((s, x) => s + dbeta(x, beta), 0);
    expectClose(weightGradients(layer, POINTS).beta, [sum], 1e-5, 1e-5);
  });

  it("starts at tfjs' swish (SiLU), and beta = 0 gives x/2", () => {
    const x = tf.tensor2d([POINTS]);
    const silu = tf.layers.activation({ activation: 'swish' }).apply(x) as tf.Tensor;
    expectClose(outputAt(swishBeta(), POINTS), silu.dataSync(), 1e-6, 1e-6);
    expectClose(outputAt(swishBeta({ initialBeta: 0 }), POINTS), POINTS.map((v) => v / 2), 1e-7, 1e-7);
  });

  it('learns one beta per unit with perUnit', () => {
    const layer = swishBeta({ perUnit: true });
    const rows = [[-1, 0.5, 2], [0.3, -2, 1]];
    const x = tf.tensor2d(rows);
    layer.apply(x);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[3]]);
    const betas = [0.5, 1, 3];
    setWeight(layer, 'beta', betas);
    expectClose((layer.apply(x) as tf.Tensor).dataSync(), rows.flatMap((r) => r.map((v, j) => formula(v, betas[j]))), 1e-6, 1e-6);
  });

  it('keeps initialBeta and perUnit in its config', () => {
    expect(swishBeta({ initialBeta: 1.5, perUnit: true }).getConfig()).toMatchObject({ initialBeta: 1.5, perUnit: true });
  });
});

describe('SwishBeta arguments', () => {
  it.each([
    [{ initialBeta: Infinity }, /SwishBeta: initialBeta must be a finite number, got Infinity/],
    [{ initialBeta: [1] }, /SwishBeta: initialBeta must be a finite number, got \[1\]/],
    [{ perUnit: 'true' }, /SwishBeta: perUnit must be true or false, got "true"/],
    [{ beta: 1 }, /SwishBeta: unknown argument 'beta'/],
  ])('rejects %o', (args, message) => {
    expect(() => swishBeta(args as never)).toThrow(message);
  });
});

describe('SwishBeta in the registry', () => {
  it("is 'swish-beta', learnable, beta from 1", () => {
    expect(activationEntry('swish-beta').learnable).toBe(true);
    const layer = createActivation('swish-beta');
    expect(layer).toBeInstanceOf(SwishBeta);
    expect(layer.getConfig()).toMatchObject({ initialBeta: 1, perUnit: false });
  });
});

describeLayerContract('SwishBeta', { create: () => swishBeta({ initialBeta: 0.8 }), inputShape: [4, 3] });
describeLayerContract('SwishBeta (per unit)', { create: () => swishBeta({ perUnit: true }), inputShape: [4, 3] });
