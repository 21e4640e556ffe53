import { describe, expect, it } from 'vitest';
import { simdModuleBytes, type SimdKernels } from '../../../src/kernels/simd/instance.js';
import { EXP_MIN_ARG } from '../../../src/kernels/simd/wat_math.js';

/**
 * exp, expm1 and sigmoid of the SIMD module, on four lanes and on the one-element tail, against
 * float64 (Math.exp, Math.expm1), on the module instantiated with a memory of its own.
 */
const memory = new WebAssembly.Memory({ initial: 64 });
const kernels = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes()), { env: { memory } })
  .exports as unknown as SimdKernels;
const X = 1024; // byte offsets of the input and output arrays
const Y = 2 * 1024 * 1024;

function apply(name: 'test_exp' | 'test_expm1' | 'test_sigmoid' | 'test_sin', values: ArrayLike<number>): Float32Array {
  new Float32Array(memory.buffer, X, values.length).set(values);
  kernels[name](X, Y, values.length);
  return Float32Array.from(new Float32Array(memory.buffer, Y, values.length));
}

/** n float32 values spread over [lo, hi], plus the bounds, in an order that mixes lanes. */
function grid(lo: number, hi: number, n: number): Float32Array {
  const out = new Float32Array(n + 2);
  for (let i = 0; i < n; i++) out[i] = lo + ((hi - lo) * ((i * 7919) % n)) / n;
  out[n] = lo;
  out[n + 1] = hi;
  return out;
}

/** Largest |f - ref| / |ref| (|ref| >= floor counted as is, below it the absolute error / floor). */
function maxRelError(x: Float32Array, y: Float32Array, ref: (v: number) => number, floor = 1e-37): number {
  let worst = 0;
  x.forEach((v, i) => {
    const r = ref(v);
    worst = Math.max(worst, Math.abs(y[i] - r) / Math.max(Math.abs(r), floor));
  });
  return worst;
}

const sigmoid = (t: number): number => 1 / (1 + Math.exp(-t));
// Measured: exp and expm1 within 1 float32 ulp of the rounded float64 value (relative error up
// to 8.8e-8), sigmoid within 3 ulp (relative error below 2e-7 on a 4-million-point scan). The
// bounds leave a little room, no more.
const TOL = 1.2e-7;
const TOL_SIGMOID = 2.5e-7;

describe('SIMD math on four lanes and one', () => {
  it.each([1, 2, 3, 4, 5, 7, 8, 9, 4099])('exp(v) for v <= 0 is within 1.2e-7 of float64 (%i values)', (n) => {
    const x = grid(EXP_MIN_ARG, 0, n);
    expect(maxRelError(x, apply('test_exp', x), Math.exp)).toBeLessThan(TOL);
  });

  it('expm1(v) for v <= 0 keeps its relative accuracy near 0 and reaches -1', () => {
    const x = Float32Array.from([...grid(-30, 0, 5000), ...grid(-1e-3, 0, 999), -1e-30, -1e-38, -0.34657, -0.34658, -200]);
    const y = apply('test_expm1', x);
    expect(maxRelError(x, y, Math.expm1)).toBeLessThan(TOL);
    expect(y[x.length - 1]).toBe(-1);
    // Zeros give 0 (+0 also for -0, as tfjs' wasm Elu; Math.expm1 keeps -0).
    expect(Array.from(apply('test_expm1', [-0, 0, -0, 0, -0]))).toEqual([0, 0, 0, 0, 0]);
  });

  it('exp underflows to 0 below -87.33 (no subnormal scale) and keeps NaN', () => {
    const y = apply('test_exp', [-87.4, -100, -Infinity, NaN, 0]);
    expect(Array.from(y.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(y[3]).toBeNaN();
    expect(y[4]).toBe(1);
  });

  it('sigmoid is within 2.5e-7 of float64 over [-87.33, 88], exact at the ends and at 0', () => {
    const x = grid(EXP_MIN_ARG, 88, 20000);
    expect(maxRelError(x, apply('test_sigmoid', x), sigmoid)).toBeLessThan(TOL_SIGMOID);
    // Further down the true value is subnormal (below 1.2e-38); the kernel gives 0 there.
    const low = apply('test_sigmoid', grid(-100, EXP_MIN_ARG - 0.01, 100));
    low.forEach((v) => expect(v >= 0 && v < 1.2e-38).toBe(true));
    const y = apply('test_sigmoid', [Infinity, -Infinity, 0, NaN, 1e-30, -1e-30]);
    expect(Array.from(y.subarray(0, 3))).toEqual([1, 0, 0.5]);
    expect(y[3]).toBeNaN();
    expect(y[4]).toBe(0.5);
    expect(y[5]).toBe(0.5);
  });

  it('sin is within 1 float32 rounding of float64 (abs error 1.2e-7) up to |x| = 1e5, NaN at infinities', () => {
    const x = Float32Array.from([...grid(-10, 10, 8000), ...grid(-1e5, 1e5, 8000), 1e-30, -1e-30, 0, Math.PI / 4, 3 * Math.PI]);
    const y = apply('test_sin', x);
    let worst = 0;
    x.forEach((v, i) => (worst = Math.max(worst, Math.abs(y[i] - Math.sin(v)))));
    expect(worst).toBeLessThan(1.2e-7);
    expect(y[x.length - 5]).toBe(Math.fround(1e-30)); // sin x = x exactly for tiny x
    // Past |x| = 2^51 the reduction cannot round; the result stays a number in [-1, 1].
    apply('test_sin', [1e16, 1e20, -1e30, 3e38, -3e38]).forEach((v) => expect(Math.abs(v)).toBeLessThanOrEqual(1));
    const special = apply('test_sin', [Infinity, -Infinity, NaN, 0]);
    expect(Array.from(special.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    expect(special[3]).toBe(0);
  });

  it('expm1 and exp propagate NaN in every lane position', () => {
    for (let lane = 0; lane < 5; lane++) {
      const x = new Float32Array(5).fill(-1);
      x[lane] = NaN;
      for (const name of ['test_exp', 'test_expm1', 'test_sigmoid'] as const) {
        const y = apply(name, x);
        y.forEach((v, i) => (i === lane ? expect(v, `${name} lane ${i}`).toBeNaN() : expect(v).not.toBeNaN()));
      }
    }
  });
});
