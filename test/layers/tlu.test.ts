import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, createActivation, TLU, tlu } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt, setWeight, weightGradients } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Singh & Krishnan (2020): max(x, tau). */
const formula = (x: number, tau: number) => Math.max(x, tau);

describe.each(BACKENDS)('TLU on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('starts as ReLU (tau = 0)', () => {
    const points = [-3, -1e-3, 0, 1e-3, 2];
    expectClose(outputAt(tlu(), points), points.map((x) => formula(x, 0)), 1e-9, 1e-7);
  });

  it.each([0.7, -1.25, 3])('equals max(x, tau) on both sides of tau = %s', (tau) => {
    const points = [-5, tau - 1, tau - 1e-3, tau, tau + 1e-3, tau + 1, 6];
    expectClose(outputAt(tlu({ initialTau: tau }), points), points.map((x) => formula(x, tau)), 1e-7, 1e-6);
  });

  it('has df/dx = 1 for x > tau, 0 otherwise, and df/dtau = the count of x <= tau', () => {
    const tau = 0.5;
    const points = [-2, 0, 0.49, 0.5, 0.51, 3];
    const layer = tlu({ initialTau: tau });
    expectClose(derivativeAt(layer, points), points.map((x) => (x > tau ? 1 : 0)), 0, 0);
    expectClose(weightGradients(layer, points).tau, [points.filter((x) => x <= tau).length], 0, 0);
  });

  it('learns one tau per unit with perUnit', () => {
    const layer = tlu({ perUnit: true });
    const rows = [[-1, 0.5, 2], [0.3, -2, 1]];
    const x = tf.tensor2d(rows);
    layer.apply(x);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[3]]);
    const taus = [0, 1, -3];
    setWeight(layer, 'tau', taus);
    expectClose((layer.apply(x) as tf.Tensor).dataSync(), rows.flatMap((r) => r.map((v, j) => formula(v, taus[j]))), 1e-9, 1e-7);
    const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar);
    const g = Object.values(grads)[0].dataSync();
    expectClose(g, [1, 2, 0], 0, 0); // entries below tau: unit 0 has -1, unit 1 has 0.5 and -2
  });

  it('keeps initialTau and perUnit in its config', () => {
    expect(tlu({ initialTau: 0.2, perUnit: true }).getConfig()).toMatchObject({ initialTau: 0.2, perUnit: true });
  });
});

describe('TLU arguments', () => {
  it.each([
    [{ initialTau: Number.NaN }, /TLU: initialTau must be a finite number, got NaN/],
    [{ initialTau: '0' }, /TLU: initialTau must be a finite number, got "0"/],
    [{ perUnit: 1 }, /TLU: perUnit must be true or false, got 1/],
    [{ tau: 0 }, /TLU: unknown argument 'tau'/],
  ])('rejects %o', (args, message) => {
    expect(() => tlu(args as never)).toThrow(message);
  });

  it('rejects perUnit for a 1-D input (no unit axis)', () => {
    expect(() => tlu({ perUnit: true }).build([null])).toThrow(/TLU: perUnit needs an input of rank >= 2 \(\[batch, ..., units\]\) whose last dimension is known/);
  });
});

describe('TLU in the registry', () => {
  it("is 'tlu', learnable, one tau per unit from 0 as in the paper", () => {
    expect(activationEntry('tlu').learnable).toBe(true);
    const layer = createActivation('tlu');
    expect(layer).toBeInstanceOf(TLU);
    expect(layer.getConfig()).toMatchObject({ initialTau: 0, perUnit: true });
    layer.build([null, 5]);
    expect(layer.trainableWeights[0].shape).toEqual([5]);
  });
});

describeLayerContract('TLU', { create: () => tlu({ initialTau: 0.4 }), inputShape: [4, 3], kinks: [0.4] });
describeLayerContract('TLU (per unit)', { create: () => tlu({ initialTau: -0.3, perUnit: true }), inputShape: [4, 3], kinks: [-0.3] });
