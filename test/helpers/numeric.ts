import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** A small deterministic PRNG (the library's mulberry32) so tests draw the same numbers on every run. */
export { mulberry32 as rng } from '../../src/experiment/shuffle.js';
import { mulberry32 as rng } from '../../src/experiment/shuffle.js';

/** `n` uniform numbers in [lo, hi). */
export function uniform(n: number, lo: number, hi: number, seed = 1): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Asserts |a[i] - b[i]| <= atol + rtol*|b[i]| for every i, reporting the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-5, rtol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (Number.isNaN(b)) {
      expect(Number.isNaN(a), `element ${i}: expected NaN, got ${a}`).toBe(true);
      continue;
    }
    const excess = Math.abs(a - b) - (atol + rtol * Math.abs(b));
    if (!(excess <= worstExcess) || Number.isNaN(a)) {
      worst = i;
      worstExcess = Number.isNaN(a) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/**
 * Central finite-difference gradient of the scalar function `f` at `x`, evaluated in float64 by
 * `f` itself when it is plain JS, or in float32 when it runs tfjs; `h` is the step.
 */
export function finiteDifference(f: (x: number[]) => number, x: number[], h = 1e-3): number[] {
  return x.map((_, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] += h;
    minus[i] -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

/** Runs `fn` and returns how many tensors it left allocated. */
export function leakedTensors(fn: () => void): number {
  const before = tf.memory().numTensors;
  fn();
  return tf.memory().numTensors - before;
}

/**
 * {@link expectClose} for values that may be NaN or infinite: the same length, NaN where `expected`
 * is NaN, the same infinity where it is infinite, and within atol + rtol * |expected| elsewhere.
 */
export function expectCloseSpecial(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const finite: number[] = [];
  Array.from(expected).forEach((e, i) => {
    if (Number.isFinite(e)) finite.push(i);
    else if (Number.isNaN(e)) expect(actual[i], `${label} element ${i}`).toBeNaN();
    else expect(actual[i], `${label} element ${i}`).toBe(e);
  });
  expectClose(finite.map((i) => actual[i]), finite.map((i) => expected[i]), atol, rtol);
}
