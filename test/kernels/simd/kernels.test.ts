import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import '../../../src/index.js';
import { runHostKernel } from '../../../src/kernels/host_kernels.js';
import { setWasmSimdKernelsEnabled, simdKernelsFor } from '../../../src/kernels/simd/instance.js';
import { useBackend } from '../../helpers/backends.js';
import { expectCloseSpecial } from '../../helpers/numeric.js';
import { expectStableMemory, seeded } from '../wasm_test_util.js';

/**
 * Every SIMD kernel on the wasm backend against the same kernel's JavaScript loop (the SIMD
 * module switched off), on shapes that take every path of the loops (eight, four and one element
 * at a time; rows whose width is and is not a multiple of 4), with zeros, tiny, large, NaN and
 * infinite inputs. The JavaScript loops are checked against the formulas and the tfjs ops in the
 * layers' tests and host_kernels.test.ts.
 */
const SPECIAL = [0, -0, 1e-30, -1e-30, 30, -30, 100, -100, NaN, Infinity, -Infinity, 2];
// [37, 5]: one block of 32 rows of float32 partial sums plus 5 (simd/wat_math.ts rowLoop).
// [9, 57]: 513 elements, two blocks of 32 eight-element iterations plus 1 (elementLoop's flush).
const SHAPES: number[][] = [[1, 1], [1, 3], [2, 4], [3, 5], [7, 8], [5, 13], [1, 37], [16, 64], [37, 5], [9, 57]];

/** Values in [-scale, scale), with the special values spread over the first elements when `special`. */
function data(n: number, seed: number, scale = 3, special = true): Float32Array {
  const v = seeded(n, seed).map((x) => x * scale);
  if (special) SPECIAL.forEach((s, k) => k * 3 < n && (v[k * 3] = s));
  return v;
}

const kept: tf.Tensor[] = [];
afterEach(() => {
  tf.dispose(kept.splice(0));
});

/**
 * The tensor `f` gives (with the SIMD kernels on), computed once: a forward output a gradient
 * reads, the same for both runs of {@link both}, so that they differ only in the gradient kernel.
 */
function once(f: () => tf.Tensor | tf.Tensor[]): () => tf.Tensor {
  const t = tf.tidy(() => f() as tf.Tensor);
  kept.push(t);
  return () => t;
}

/** Runs kernel `name` with SIMD on and off; returns the outputs' values of both. */
function both(name: string, inputs: () => tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}): Float32Array[][] {
  const run = (simd: boolean): Float32Array[] => {
    const previous = setWasmSimdKernelsEnabled(simd);
    try {
      return tf.tidy(() => {
        const out = runHostKernel(name, inputs(), attrs);
        return (Array.isArray(out) ? out : [out]).map((t) => Float32Array.from(t.dataSync()));
      });
    } finally {
      setWasmSimdKernelsEnabled(previous);
    }
  };
  return [run(true), run(false)];
}

/** Outputs of SIMD and JavaScript agree: element outputs tightly, parameter sums a little looser (float32 vs float64 sums). */
function expectAgree([simd, js]: Float32Array[][], label: string, elementOutputs = 1): void {
  expect(simd.length).toBe(js.length);
  simd.forEach((out, k) => {
    const tight = k < elementOutputs;
    expectCloseSpecial(out, js[k], tight ? 1e-6 : 1e-5, tight ? 2e-6 : 2e-5, `${label} output ${k}`);
  });
}

describe('SIMD kernels on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('are available here (Node has WebAssembly SIMD, the backend memory is not shared)', () => {
    expect(simdKernelsFor(tf.backend())).not.toBeNull();
  });

  describe.each(SHAPES.map((s) => [s.join('x'), s] as const))('shape %s', (_label, shape) => {
    const n = shape[0] * shape[1];
    const units = shape[1];
    const x = (): tf.Tensor => tf.tensor(data(n, 1), shape);
    const dy = (): tf.Tensor => tf.tensor(data(n, 2, 1, false), shape);
    const dySpecial = (): tf.Tensor => tf.tensor(data(n, 2, 1, true), shape);

    it.each([
      [0.5, 1],
      [1.3, 1.3],
      [2, 0.7],
    ])('scaled ELU alpha %f beta %f, forward and gradient', (alpha, beta) => {
      const attrs = { alpha, beta };
      expectAgree(both('TfjsActivationsScaledELU', () => ({ x: x() }), attrs), 'forward');
      const y = once(() => runHostKernel('TfjsActivationsScaledELU', { x: x() }, attrs) as tf.Tensor);
      expectAgree(both('TfjsActivationsScaledELUGrad', () => ({ dy: dy(), y: y() }), attrs), 'gradient');
    });

    it.each([
      [1, 1],
      [1.7, 0.4],
      [0.05, -2], // both below the bound 0.1: the kernel uses 0.1 and blocks the gradients that lower them
    ])('PELU a %f b %f, forward and gradient', (aValue, bValue) => {
      const a = (): tf.Tensor => tf.tensor1d([aValue]);
      const b = (): tf.Tensor => tf.tensor1d([bValue]);
      expectAgree(both('TfjsActivationsPELU', () => ({ x: x(), a: a(), b: b() })), 'forward');
      const y = once(() => runHostKernel('TfjsActivationsPELU', { x: x(), a: a(), b: b() }) as tf.Tensor);
      expectAgree(both('TfjsActivationsPELUGrad', () => ({ dy: dy(), x: x(), y: y(), a: a(), b: b() })), 'gradient');
      // Without NaN among the inputs, so that the two sums are numbers on every shape (every path
      // of the block-sum loop: eight, four and one element at a time, flushes).
      const xFinite = (): tf.Tensor => tf.tensor(data(n, 1, 3, false), shape);
      const yFinite = once(() => runHostKernel('TfjsActivationsPELU', { x: xFinite(), a: a(), b: b() }) as tf.Tensor);
      const [simd, js] = both('TfjsActivationsPELUGrad', () => ({ dy: dy(), x: xFinite(), y: yFinite(), a: a(), b: b() }));
      expect(Number.isFinite(simd[1][0]) && Number.isFinite(simd[2][0])).toBe(true);
      expectAgree([simd, js], 'gradient, finite inputs');
    });

    it.each([['per unit'], ['shared']])('Swish-beta, beta %s, forward and gradient', (kind) => {
      const beta = (): tf.Tensor => (kind === 'shared' ? tf.tensor1d([1.4]) : tf.tensor1d(data(units, 3, 2, false)));
      expectAgree(both('TfjsActivationsSwishBeta', () => ({ x: x(), beta: beta() })), 'forward', 2);
      const xFinite = (): tf.Tensor => tf.tensor(data(n, 1, 3, false), shape);
      const sig = once(() => (runHostKernel('TfjsActivationsSwishBeta', { x: xFinite(), beta: beta() }) as tf.Tensor[])[1]);
      expectAgree(both('TfjsActivationsSwishBetaGrad', () => ({ dy: dy(), x: xFinite(), sig: sig(), beta: beta() })), 'gradient');
      // Special values in x and in dy: NaN and infinities where the JavaScript loop has them.
      const sigSpecial = once(() => (runHostKernel('TfjsActivationsSwishBeta', { x: x(), beta: beta() }) as tf.Tensor[])[1]);
      expectAgree(both('TfjsActivationsSwishBetaGrad', () => ({ dy: dySpecial(), x: x(), sig: sigSpecial(), beta: beta() })), 'special gradient');
    });

    it.each([['per unit'], ['shared']])('ACON-C, parameters %s, forward and gradient', (kind) => {
      const param = (seed: number) => (): tf.Tensor => (kind === 'shared' ? tf.tensor1d([seed / 4]) : tf.tensor1d(data(units, seed, 1.5, false)));
      const [p1, p2, beta] = [param(4), param(5), param(6)];
      expectAgree(both('TfjsActivationsAconC', () => ({ x: x(), p1: p1(), p2: p2(), beta: beta() })), 'forward', 2);
      const xFinite = (): tf.Tensor => tf.tensor(data(n, 1, 3, false), shape);
      const sig = once(() => (runHostKernel('TfjsActivationsAconC', { x: xFinite(), p1: p1(), p2: p2(), beta: beta() }) as tf.Tensor[])[1]);
      expectAgree(
        both('TfjsActivationsAconCGrad', () => ({ dy: dy(), x: xFinite(), sig: sig(), p1: p1(), p2: p2(), beta: beta() })),
        'gradient',
      );
      const sigSpecial = once(() => (runHostKernel('TfjsActivationsAconC', { x: x(), p1: p1(), p2: p2(), beta: beta() }) as tf.Tensor[])[1]);
      expectAgree(
        both('TfjsActivationsAconCGrad', () => ({ dy: dySpecial(), x: x(), sig: sigSpecial(), p1: p1(), p2: p2(), beta: beta() })),
        'special gradient',
      );
    });

    it.each([
      [[0, 20], 0],
      [[0, -2, 3], -1],
      [[1.5], 0.25],
      [[0.3, -7.7], -1], // shifts that are not float32 numbers, in decreasing order
      [[0, 20], 0.5],
      [[0, 100], 0],
      [[3e9 + 100, 3e9 + 110], 0], // large shifts (a one-exp variant gave NaN here; review)
    ])('sum of sigmoids, shifts %j offset %f, forward and gradient', (shifts, offset) => {
      const attrs = { shifts, offset };
      expectAgree(both('TfjsActivationsSigmoidSum', () => ({ x: x() }), attrs), 'forward', 2);
      const slope = once(() => (runHostKernel('TfjsActivationsSigmoidSum', { x: x() }, attrs) as tf.Tensor[])[1]);
      expectAgree(both('TfjsActivationsSigmoidSumGrad', () => ({ dy: dy(), slope: slope() })), 'gradient');
    });

    it.each([
      ['per unit', true],
      ['shared', true],
      ['shared', false],
    ])('Snake, a %s, guard %s, forward and gradient', (kind, guard) => {
      // Per unit: a mix of signs and of values inside the guard band (|a| < 1e-3 is moved out of it).
      const a = (): tf.Tensor => (kind === 'shared' ? tf.tensor1d([0.7]) : tf.tensor1d(data(units, 8, 2, false).map((v, j) => (j % 3 === 2 ? v * 1e-4 : v))));
      const attrs = { guard };
      expectAgree(both('TfjsActivationsSnake', () => ({ x: x(), a: a() }), attrs), 'forward', 2);
      const sin = once(() => (runHostKernel('TfjsActivationsSnake', { x: x(), a: a() }, attrs) as tf.Tensor[])[1]);
      const xFinite = (): tf.Tensor => tf.tensor(data(n, 1, 3, false), shape);
      const sinFinite = once(() => (runHostKernel('TfjsActivationsSnake', { x: xFinite(), a: a() }, attrs) as tf.Tensor[])[1]);
      expectAgree(both('TfjsActivationsSnakeGrad', () => ({ dy: dy(), x: x(), sin: sin(), a: a() }), attrs), 'gradient');
      expectAgree(both('TfjsActivationsSnakeGrad', () => ({ dy: dy(), x: xFinite(), sin: sinFinite(), a: a() }), attrs), 'gradient, finite');
    });

    it.each([
      ['default degrees 5/4', [0.03, 0.6, 1.8, 1.2, 0.3, 0.02], [-1.1, 0.0, 2.9, 0.5]],
      ['degrees 5/5 (the SIMD form declines, the JavaScript loop runs)', [0.03, 0.6, 1.8, 1.2, 0.3, 0.02], [-1.1, 0.0, 2.9, 0.5, 0.01]],
      ['degrees 3/2 (the SIMD form declines, the JavaScript loop runs)', [0.1, 1, 0.5, 0.2], [0.3, -0.2]],
    ])('PAU, %s: the float64 results of the JavaScript loops', (_kind, numerator, denominator) => {
      const inputs = (): tf.NamedTensorMap => ({ x: x(), numerator: tf.tensor1d(numerator), denominator: tf.tensor1d(denominator) });
      const [simd, js] = both('TfjsActivationsPAU', inputs);
      expect(Array.from(simd[0])).toEqual(Array.from(js[0])); // same operations in the same order
      const [gs, gj] = both('TfjsActivationsPAUGrad', () => ({ dy: dy(), ...inputs() }));
      expect(Array.from(gs[0])).toEqual(Array.from(gj[0]));
      // The coefficient sums add up in another order: equal to float32 rounding.
      expectCloseSpecial(gs[1], gj[1], 1e-6, 1e-6, 'numerator gradient');
      expectCloseSpecial(gs[2], gj[2], 1e-6, 1e-6, 'denominator gradient');
    });

    it.each([2, 3])('Maxout with %i pieces (3: the SIMD form declines, the JavaScript loop runs), forward and gradient', (pieces) => {
      const xs = (): tf.Tensor => tf.tensor(data(n * pieces, 1), [shape[0], units * pieces]);
      // Ties: equal pairs pass the gradient to both values.
      const tied = (): tf.Tensor => tf.tensor(data(n * pieces, 7).map((v, i) => (i % 5 === 0 ? 1 : v)), [shape[0], units * pieces]);
      for (const input of [xs, tied]) {
        const [simd, js] = both('TfjsActivationsMaxout', () => ({ x: input() }), { pieces });
        expect(Array.from(simd[0])).toEqual(Array.from(js[0]));
        const [gs, gj] = both('TfjsActivationsMaxoutGrad', () => ({ dy: dy(), x: input() }), { pieces });
        expect(Array.from(gs[0])).toEqual(Array.from(gj[0]));
      }
    });

    it.each([0, 12345, 2 ** 32 - 5])('RReLU training with seed %i: the same draws and values bit for bit', (seed) => {
      const attrs = { lower: 3, upper: 8, seed };
      const [simd, js] = both('TfjsActivationsRReLUTraining', () => ({ x: x() }), attrs);
      simd.forEach((out, k) => expect(Array.from(out), `output ${k}`).toEqual(Array.from(js[k])));
      const slopes = once(() => (runHostKernel('TfjsActivationsRReLUTraining', { x: x() }, attrs) as tf.Tensor[])[1]);
      const [gs, gj] = both('TfjsActivationsRReLUTrainingGrad', () => ({ dy: dy(), x: x(), slopes: slopes() }));
      expect(Array.from(gs[0])).toEqual(Array.from(gj[0]));
    });
  });

  it('Snake stays bounded for huge inputs (sin is some value in [-1, 1] where float32 cannot resolve it)', () => {
    const xs = [1e15, 1e20, -1e30, 3e38, -3e38, 1e10];
    const x = (): tf.Tensor => tf.tensor2d([xs]);
    const a = (): tf.Tensor => tf.tensor1d([0.5]);
    const [[y, sin]] = both('TfjsActivationsSnake', () => ({ x: x(), a: a() }), { guard: true });
    sin.forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1));
    // y = x + sin^2 / a with |sin^2 / a| <= 2: within float32 rounding of x at these magnitudes.
    y.forEach((v, i) => expect(Math.abs(v - xs[i]) / Math.abs(xs[i])).toBeLessThan(1e-6));
    const [[dx, da]] = both('TfjsActivationsSnakeGrad', () => ({ dy: tf.ones([1, 6]), x: x(), sin: tf.tensor2d([Array.from(sin)]), a: a() }), { guard: true });
    dx.forEach((v) => expect(v >= 0 && v <= 2).toBe(true));
    expect(Number.isNaN(da[0])).toBe(false);
  });

  it('Swish-beta and ACON-C parameter gradients stay finite where dy x overflows float32 (x = -3e38)', () => {
    const x = (): tf.Tensor => tf.tensor2d([[-3e38], [1]]);
    const dy = (): tf.Tensor => tf.tensor2d([[2], [1]]);
    const beta = (): tf.Tensor => tf.tensor1d([1.2]);
    const sig = once(() => (runHostKernel('TfjsActivationsSwishBeta', { x: x(), beta: beta() }) as tf.Tensor[])[1]);
    const swish = both('TfjsActivationsSwishBetaGrad', () => ({ dy: dy(), x: x(), sig: sig(), beta: beta() }));
    expectAgree(swish, 'swish-beta gradient');
    expect(Number.isFinite(swish[0][1][0])).toBe(true);
    const p = (v: number) => (): tf.Tensor => tf.tensor1d([v]);
    const params = (): tf.NamedTensorMap => ({ p1: p(1.3)(), p2: p(0.2)(), beta: p(1.1)() });
    const sigA = once(() => (runHostKernel('TfjsActivationsAconC', { x: x(), ...params() }) as tf.Tensor[])[1]);
    const acon = both('TfjsActivationsAconCGrad', () => ({ dy: dy(), x: x(), sig: sigA(), ...params() }));
    expect(Number.isFinite(acon[0][3][0])).toBe(true); // dbeta
    expectCloseSpecial(acon[0][3], acon[1][3], 1e-5, 2e-5, 'acon-c dbeta');
  });

  it.each([
    [0, 20],
    [0, 80],
    [-3, 0], // the symmetrical MSAF's order
  ])("MSAF's sum and slope s (1 - s) keep their relative accuracy down to 1e-30, in both tails (no cancellation in float32), shifts %d, %d", (b0, b1) => {
    // Points where the expected sum and slope are at least 1e-30 (the float32 exp is 0 below
    // -87.33 and no relative accuracy is claimed near there: simd/wat_math.ts). Integers and
    // others: a variant that formed x - c for a midpoint c lost 4e-6 at x = -54.0395 (review).
    const candidates = [6, 10, 20, 30, 40, 50, 60, 75, 90, 120, 140, -10, -30, -40, -50, -60, -68, -3, 0, -1.5, -54.0395, -60.37, 12.345, 33.3, 47.77].map(
      Math.fround, // the tensor holds float32: the expectations are for those values
    );
    const sig = (z: number): number => 1 / (1 + Math.exp(-z));
    const d = (z: number): number => Math.exp(-Math.abs(z)) / (1 + Math.exp(-Math.abs(z))) ** 2;
    const xs = candidates.filter((v) => d(v - b0) + d(v - b1) >= 1e-30);
    expect(xs.length).toBeGreaterThanOrEqual(14);
    const [[y, slope]] = both('TfjsActivationsSigmoidSum', () => ({ x: tf.tensor2d([xs]) }), { shifts: [b0, b1], offset: 0 });
    xs.forEach((v, i) => {
      const expectedY = sig(v - b0) + sig(v - b1);
      const expectedSlope = d(v - b0) + d(v - b1);
      expect(Math.abs(y[i] - expectedY) / expectedY, `y at x = ${v}`).toBeLessThan(1e-6);
      expect(Math.abs(slope[i] - expectedSlope) / expectedSlope, `slope at x = ${v}`).toBeLessThan(1e-6);
    });
  });

  it('free every temporary: tensors, bytes and the backend data ids stay flat', () => {
    const shape = [5, 13];
    expectStableMemory(() => {
      tf.tidy(() => {
        const x = tf.tensor(data(65, 1), shape);
        const dy = tf.tensor(data(65, 2, 1, false), shape);
        const beta = tf.tensor1d([1.2]);
        const [, sig] = runHostKernel('TfjsActivationsSwishBeta', { x, beta }) as tf.Tensor[];
        runHostKernel('TfjsActivationsSwishBetaGrad', { dy, x, sig, beta });
        const p = tf.tensor1d([0.5]);
        const [, s2] = runHostKernel('TfjsActivationsAconC', { x, p1: p, p2: beta, beta: p }) as tf.Tensor[];
        runHostKernel('TfjsActivationsAconCGrad', { dy, x, sig: s2, p1: p, p2: beta, beta: p });
        const y = runHostKernel('TfjsActivationsPELU', { x, a: beta, b: p }) as tf.Tensor;
        runHostKernel('TfjsActivationsPELUGrad', { dy, x, y, a: beta, b: p });
        const [, sin] = runHostKernel('TfjsActivationsSnake', { x, a: beta }, { guard: true }) as tf.Tensor[];
        runHostKernel('TfjsActivationsSnakeGrad', { dy, x, sin, a: beta }, { guard: true });
        const numerator = tf.tensor1d([0.1, 1, 0.5, 0.2, 0.1, 0.05]);
        runHostKernel('TfjsActivationsPAU', { x, numerator, denominator: tf.tensor1d([0.3, 0.2, 0.1, 0.05]) });
        runHostKernel('TfjsActivationsPAUGrad', { dy, x, numerator, denominator: tf.tensor1d([0.3, 0.2, 0.1, 0.05]) });
        // Declined by the SIMD form (the JavaScript loop runs): PAU of other degrees, Maxout of 3 pieces.
        runHostKernel('TfjsActivationsPAUGrad', { dy, x, numerator, denominator: tf.tensor1d([0.3, 0.2]) });
        const wide = tf.tensor(data(5 * 39, 3), [5, 39]);
        runHostKernel('TfjsActivationsMaxout', { x: wide }, { pieces: 3 });
        runHostKernel('TfjsActivationsMaxoutGrad', { dy, x: wide }, { pieces: 3 });
      });
    }, 5);
  });

  it.each([
    ['Swish-beta', 'TfjsActivationsSwishBeta', ['beta'], 1],
    ['ACON-C', 'TfjsActivationsAconC', ['p1', 'p2', 'beta'], 3],
    ['Snake', 'TfjsActivationsSnake', ['a'], 1],
  ] as const)('%s sums its per-unit gradients over 16,384 rows without a growing error (within 2e-6 of the JavaScript loop\'s float64 sums)', (_name, kernel, params, count) => {
    // x in [1, 4] with large parameters: sigmoids near 1, per-unit sums of many terms of one sign
    // (ACON-C's dp2 = sumX - sumA then cancels). float32 sums were 1.7e-4 off here.
    const rows = 16384;
    const units = 4;
    const x = (): tf.Tensor => tf.tensor(data(rows * units, 11, 1.5, false).map((v) => v + 2.5), [rows, units]);
    const dy = (): tf.Tensor => tf.tensor(data(rows * units, 12, 0.5, false).map((v) => v + 1), [rows, units]);
    const values = [3, 0.4, 2];
    const inputs = (): tf.NamedTensorMap => Object.fromEntries(params.map((name, k) => [name, tf.fill([units], values[k])]));
    const attrs: tf.NamedAttrMap = kernel === 'TfjsActivationsSnake' ? { guard: true } : {};
    const saved = once(() => (runHostKernel(kernel, { x: x(), ...inputs() }, attrs) as tf.Tensor[])[1]);
    const savedName = kernel === 'TfjsActivationsSnake' ? 'sin' : 'sig';
    const [simd, js] = both(`${kernel}Grad`, () => ({ dy: dy(), x: x(), [savedName]: saved(), ...inputs() }), attrs);
    for (let k = 1; k <= count; k++) expectCloseSpecial(simd[k], js[k], 0, 2e-6, `parameter gradient ${k}`);
  });

  it('PELU sums its two parameter gradients over 1,048,576 elements within 1e-6 of the JavaScript loop\'s float64 sums', () => {
    // Terms of one sign (x > 0 everywhere for b's sum, x < 0 for a's), so that float32 sums over
    // all elements would drift: blocks of float32 partial sums go into float64 totals.
    const n = 1 << 20;
    const shape = [n / 64, 64];
    const x = (): tf.Tensor => tf.tensor(data(n, 13, 1.5, false).map((v, i) => (i % 2 === 0 ? v + 2.5 : v - 2.5)), shape);
    const dy = (): tf.Tensor => tf.tensor(data(n, 14, 0.5, false).map((v) => v + 1), shape);
    const a = (): tf.Tensor => tf.tensor1d([1.7]);
    const b = (): tf.Tensor => tf.tensor1d([0.6]);
    const y = once(() => runHostKernel('TfjsActivationsPELU', { x: x(), a: a(), b: b() }) as tf.Tensor);
    const [simd, js] = both('TfjsActivationsPELUGrad', () => ({ dy: dy(), x: x(), y: y(), a: a(), b: b() }));
    expectCloseSpecial(simd[1], js[1], 0, 1e-6, 'gradient of a');
    expectCloseSpecial(simd[2], js[2], 0, 1e-6, 'gradient of b');
  });

  it('reject a per-unit parameter of the wrong size by name', () => {
    expect(() =>
      tf.tidy(() => runHostKernel('TfjsActivationsSwishBeta', { x: tf.zeros([2, 5]), beta: tf.ones([3]) })),
    ).toThrow(/parameter 'beta' has 3 values; expected 1 or 5/);
  });
});
