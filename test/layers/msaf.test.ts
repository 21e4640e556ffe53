import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, createActivation, MSAF, msaf } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt, sigmoid } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Cai et al. (2015): a + sum_k 1/(1 + exp(-x + b_k)), in float64. */
const formula = (x: number, a: number, b: number[]) => a + b.reduce((s, bk) => s + 1 / (1 + Math.exp(-x + bk)), 0);
const derivative = (x: number, b: number[]) => b.reduce((s, bk) => s + sigmoid(x - bk) * (1 - sigmoid(x - bk)), 0);

/** Both sides of each step centre of the default b = [0, 20], and the plateaus. */
const POINTS = [-40, -5, -1, -0.25, 0, 0.25, 1, 5, 10, 15, 19, 19.75, 20, 20.25, 21, 25, 40];

describe.each(BACKENDS)('MSAF on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('defaults to the 2-order MSAF sigmoid(x) + sigmoid(x - 20), states 0, 1, 2', () => {
    const y = outputAt(msaf(), POINTS);
    expectClose(y, POINTS.map((x) => formula(x, 0, [0, 20])), 1e-6, 1e-6);
    expect(y[0]).toBeCloseTo(0, 5);
    expect(y[POINTS.indexOf(10)]).toBeCloseTo(1, 4);
    expect(y[POINTS.length - 1]).toBeCloseTo(2, 5);
  });

  it.each([
    [0.5, [1, 2, 3]],
    [-1, [0]],
    [-2, [0, 2.5, 7, 7.5]],
  ])('equals a + sum_k sigmoid(x - b_k) for a = %s, b = %o', (a, b) => {
    const points = [-6, -2, -0.5, 0, 0.5, 1, 2, 2.5, 3, 4, 7.25, 9];
    expectClose(outputAt(msaf({ a, b }), points), points.map((x) => formula(x, a, b)), 1e-6, 1e-6);
  });

  it('has the derivative sum_k s_k(1 - s_k)', () => {
    const b = [0, 3];
    const points = [-4, -1, 0, 1, 1.5, 3, 5];
    expectClose(derivativeAt(msaf({ a: 0.3, b }), points), points.map((x) => derivative(x, b)), 1e-6, 1e-5);
  });

  it('has no weights and keeps a and b in its config', () => {
    const layer = msaf({ a: 0.5, b: [0, 4] });
    layer.build([null, 3]);
    expect(layer.weights).toHaveLength(0);
    expect(layer.getConfig()).toMatchObject({ a: 0.5, b: [0, 4] });
  });
});

describe('MSAF arguments', () => {
  it.each([
    [{ a: Number.NaN }, /MSAF: a must be a finite number, got NaN/],
    [{ a: '1' }, /MSAF: a must be a finite number, got "1"/],
    [{ b: [] }, /MSAF: b must be a non-empty array of numbers >= 0 that float32 can hold \(0, or 1\.1754943508222875e-38 to 3\.4028234663852886e\+38\), strictly increasing also when rounded to float32, got \[\]/],
    [{ b: [0, 1e-46] }, /strictly increasing also when rounded to float32, got \[0, 1e-46\] \(b\[1\] = 1e-46\)/],
    [{ b: [1, 1 + 1e-12] }, /strictly increasing also when rounded to float32, got \[1, 1\.000000000001\] \(b\[1\] = 1\.000000000001\)/],
    [{ b: 20 }, /MSAF: b must be a non-empty array .*, got 20/],
    [{ b: [0, -1] }, /got \[0, -1\] \(b\[1\] = -1\)/],
    [{ b: [-1, 2] }, /got \[-1, 2\] \(b\[0\] = -1\)/],
    [{ b: [0, 5, 5] }, /got \[0, 5, 5\] \(b\[2\] = 5\)/],
    [{ b: [3, 1] }, /strictly increasing also when rounded to float32, got \[3, 1\] \(b\[1\] = 1\)/],
    [{ b: [0, Infinity] }, /\(b\[1\] = Infinity\)/],
    [{ shifts: [0, 1] }, /MSAF: unknown argument 'shifts'/],
  ])('rejects %o', (args, message) => {
    expect(() => msaf(args as never)).toThrow(message);
  });
});

describe('MSAF in the registry', () => {
  it("is 'msaf', not learnable, with the layer's defaults", () => {
    const entry = activationEntry('msaf');
    expect(entry.learnable).toBe(false);
    const layer = createActivation('msaf');
    expect(layer).toBeInstanceOf(MSAF);
    expect(layer.getConfig()).toMatchObject({ a: 0, b: [0, 20] });
    expect(createActivation('msaf', { b: [0, 2] }).getConfig()).toMatchObject({ b: [0, 2] });
  });
});

describeLayerContract('MSAF', { create: () => msaf({ a: -0.5, b: [0, 1.5] }), inputShape: [4, 3] });
