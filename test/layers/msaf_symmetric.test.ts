import { beforeAll, describe, expect, it } from 'vitest';
import { activationEntry, createActivation, SymmetricalMSAF, symmetricalMSAF } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { derivativeAt, outputAt, sigmoid } from '../helpers/layer_values.js';
import { expectClose } from '../helpers/numeric.js';

/** Cai et al. (2015): -1 + 1/(1 + exp(-x)) + 1/(1 + exp(-x - a)), in float64. */
const formula = (x: number, a: number) => -1 + 1 / (1 + Math.exp(-x)) + 1 / (1 + Math.exp(-x - a));
const derivative = (x: number, a: number) => sigmoid(x) * (1 - sigmoid(x)) + sigmoid(x + a) * (1 - sigmoid(x + a));

/** Both sides of the two step centres 0 and -a = 20 of the default, and the three plateaus. */
const POINTS = [-40, -5, -1, -0.25, 0, 0.25, 1, 5, 10, 15, 19.75, 20, 20.25, 25, 40];

describe.each(BACKENDS)('SymmetricalMSAF on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('defaults to a = -20: states -1, 0, 1 with steps at 0 and 20', () => {
    const y = outputAt(symmetricalMSAF(), POINTS);
    expectClose(y, POINTS.map((x) => formula(x, -20)), 1e-6, 1e-6);
    expect(y[0]).toBeCloseTo(-1, 5);
    expect(y[POINTS.indexOf(10)]).toBeCloseTo(0, 4);
    expect(y[POINTS.length - 1]).toBeCloseTo(1, 5);
  });

  it.each([-0.5, -3, -8])('equals -1 + sigmoid(x) + sigmoid(x + a) for a = %s', (a) => {
    const points = [-12, -4, -1, 0, 0.5, 1.5, 3, 4, 8, 12];
    expectClose(outputAt(symmetricalMSAF({ a }), points), points.map((x) => formula(x, a)), 1e-6, 1e-6);
  });

  it('is odd about the point (-a/2, 0)', () => {
    const a = -6;
    const ts = [0.5, 1, 2.5, 4, 9];
    const right = outputAt(symmetricalMSAF({ a }), ts.map((t) => -a / 2 + t));
    const left = outputAt(symmetricalMSAF({ a }), ts.map((t) => -a / 2 - t));
    expectClose(left, Array.from(right, (v) => -v), 1e-6, 1e-6);
  });

  it('has the derivative s1(1 - s1) + s2(1 - s2)', () => {
    const points = [-4, -1, 0, 1, 2, 3, 5];
    expectClose(derivativeAt(symmetricalMSAF({ a: -3 }), points), points.map((x) => derivative(x, -3)), 1e-6, 1e-5);
  });
});

describe('SymmetricalMSAF arguments', () => {
  it.each([
    [{ a: 0 }, /SymmetricalMSAF: a must be a finite number < 0, got 0/],
    [{ a: 2 }, /SymmetricalMSAF: a must be a finite number < 0, got 2/],
    [{ a: -Infinity }, /SymmetricalMSAF: a must be a finite number < 0, got -Infinity/],
    [{ a: null }, /SymmetricalMSAF: a must be a finite number < 0, got null/],
    [{ b: [0, 20] }, /SymmetricalMSAF: unknown argument 'b'/],
  ])('rejects %o', (args, message) => {
    expect(() => symmetricalMSAF(args as never)).toThrow(message);
  });
});

describe('SymmetricalMSAF in the registry', () => {
  it("is 'msaf-symmetric', not learnable, with a = -20", () => {
    expect(activationEntry('msaf-symmetric').learnable).toBe(false);
    const layer = createActivation('msaf-symmetric');
    expect(layer).toBeInstanceOf(SymmetricalMSAF);
    expect(layer.getConfig()).toMatchObject({ a: -20 });
  });
});

describeLayerContract('SymmetricalMSAF', { create: () => symmetricalMSAF({ a: -2 }), inputShape: [4, 3] });
