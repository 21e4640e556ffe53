/**
 * Property-based tests (fast-check) of every layer of the library, family by family, on cpu and
 * wasm: for random input shapes, input values and parameters,
 * - the forward output equals the layer's formula, written here in plain JS (float64) from the
 *   papers' definitions, independently of the layer code;
 * - the input gradient of sum(r * f(x)) equals a central finite difference of that JS formula
 *   (inputs kept 1e-3 away from the kinks, where f has no derivative);
 * - fromConfig(getConfig()) gives the same config, and so does a round trip through JSON (up to
 *   -0, which JSON writes as 0); with the same weights the copy gives the same outputs.
 * Parameters are rounded to float32 before they reach the formula, as the layers hold them.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/numeric.js';

const RUNS = 25;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** float32 numbers in [min, max] (rounding may not leave the range), 0 or normal (the layers reject subnormal arguments). */
const f32 = (min: number, max: number) =>
  fc
    .double({ min, max, noNaN: true })
    .map(Math.fround)
    .filter((v) => v >= min && v <= max && (v === 0 || Math.abs(v) >= 2 ** -126));
const constant = (value: number) => tf.initializers.constant({ value });

/** One layer (or one mode of a layer) under test, with parameters of type P. */
interface Case<P> {
  title: string;
  params: fc.Arbitrary<P>;
  /** A new layer with parameters `p` (through its arguments; see also `setWeights`). */
  make: (p: P) => tf.layers.Layer;
  /** Writes `p` into the built layer's weights, for parameters no argument sets. */
  setWeights?: (layer: tf.layers.Layer, p: P) => void;
  /** The output along the last axis for one row `xs` of the input (element-wise unless Maxout). */
  row: (xs: number[], p: P) => number[];
  /** Input values where f has no derivative. */
  kinks: (p: P) => number[];
  /** Units of the last axis come in groups of this size (Maxout's pieces). Default 1. */
  group?: (p: P) => number;
  /** Tolerance of the forward comparison: atol, rtol. */
  tol?: [number, number];
}

const elementwise = (f: (x: number) => number) => (xs: number[]) => xs.map(f);
function make<P>(c: Case<P>): Case<unknown> {
  return c as unknown as Case<unknown>;
}

const CASES: Case<unknown>[] = [
  // --- Piecewise linear ---------------------------------------------------------------------
  make({
    title: 'AReLU (Atoum 2023): x for x > 0, l x otherwise',
    params: f32(0, 3),
    make: (l) => lib.arelu({ initialSlope: l }),
    row: (xs, l) => elementwise((x) => (x > 0 ? x : l * x))(xs),
    kinks: () => [0],
  }),
  make({
    title: 'AttentionAReLU (Chen et al. 2020): (1 + sigmoid(beta)) x for x > 0, clamp(alpha) x otherwise',
    params: fc.record({ alpha: f32(0.01, 0.99), beta: f32(-3, 3) }),
    make: ({ alpha, beta }) => lib.attentionArelu({ initialAlpha: alpha, initialBeta: beta }),
    row: (xs, { alpha, beta }) => elementwise((x) => (x > 0 ? (1 + sigmoid(beta)) * x : alpha * x))(xs),
    kinks: () => [0],
  }),
  make({
    title: 'SReLU (Jin et al. 2016), shared: three linear pieces joined at t_l <= t_r',
    params: fc.record({ tl: f32(-2, 0.5), width: f32(0.1, 2), al: f32(-1, 2), ar: f32(-1, 2) }).map((p) => ({ ...p, tr: Math.fround(p.tl + p.width) })),
    make: ({ tl, al, tr, ar }) =>
      lib.srelu({
        perUnit: false,
        tLeftInitializer: constant(tl),
        aLeftInitializer: constant(al),
        tRightInitializer: constant(tr),
        aRightInitializer: constant(ar),
      }),
    row: (xs, { tl, al, tr, ar }) => elementwise((x) => (x >= tr ? tr + ar * (x - tr) : x <= tl ? tl + al * (x - tl) : x))(xs),
    kinks: ({ tl, tr }) => [tl, tr],
  }),
  make({
    title: 'TLU (Singh & Krishnan 2020): max(x, tau)',
    params: f32(-2, 2),
    make: (tau) => lib.tlu({ initialTau: tau }),
    row: (xs, tau) => elementwise((x) => Math.max(x, tau))(xs),
    kinks: (tau) => [tau],
  }),
  make({
    title: 'APL (Agostinelli et al. 2015), shared: max(0, x) + sum_s a_s max(0, b_s - x)',
    params: fc.array(fc.record({ a: f32(-1, 1), b: f32(-2, 2) }), { minLength: 1, maxLength: 3 }),
    make: (hinges) => lib.apl({ hinges: hinges.length, perUnit: false }),
    setWeights: (layer, hinges) =>
      layer.setWeights([tf.tensor1d(hinges.map((h) => h.a)), tf.tensor1d(hinges.map((h) => h.b))]),
    row: (xs, hinges) => elementwise((x) => Math.max(0, x) + hinges.reduce((s, h) => s + h.a * Math.max(0, h.b - x), 0))(xs),
    kinks: (hinges) => [0, ...hinges.map((h) => h.b)],
  }),
  make({
    title: 'RReLU (Xu et al. 2015), inference: x for x >= 0, 2x / (l + u) otherwise',
    params: fc.record({ lower: f32(1, 10), spread: f32(0, 5) }).map(({ lower, spread }) => ({ lower, upper: lower + spread })),
    make: ({ lower, upper }) => lib.rrelu({ lower, upper }),
    row: (xs, { lower, upper }) => elementwise((x) => (x >= 0 ? x : (2 * x) / (lower + upper)))(xs),
    kinks: () => [0],
  }),
  make({
    title: 'Maxout (Goodfellow et al. 2013): max over groups of k consecutive units',
    params: fc.integer({ min: 1, max: 4 }),
    make: (k) => lib.maxout({ pieces: k }),
    row: (xs, k) => Array.from({ length: xs.length / k }, (_, j) => Math.max(...xs.slice(j * k, j * k + k))),
    kinks: () => [],
    group: (k) => k,
  }),
  // --- Exponential ----------------------------------------------------------------------------
  make({
    title: 'AlphaELU (Clevert et al. 2016): x for x > 0, alpha (exp(x) - 1) otherwise',
    params: f32(0.1, 3),
    make: (alpha) => lib.alphaELU({ alpha }),
    row: (xs, alpha) => elementwise((x) => (x > 0 ? x : alpha * Math.expm1(x)))(xs),
    kinks: () => [0],
  }),
  make({
    title: 'CELU (Barron 2017): max(0, x) + min(0, alpha (exp(x / alpha) - 1))',
    params: f32(0.1, 3),
    make: (alpha) => lib.celu({ alpha }),
    row: (xs, alpha) => elementwise((x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha)))(xs),
    kinks: () => [0],
  }),
  make({
    title: 'PELU (Trottier et al. 2017): (a / b) x for x >= 0, a (exp(x / b) - 1) otherwise',
    params: fc.record({ a: f32(0.1, 3), b: f32(0.1, 3) }),
    make: ({ a, b }) => lib.pelu({ initialA: a, initialB: b }),
    row: (xs, { a, b }) => elementwise((x) => (x >= 0 ? (a / b) * x : a * Math.expm1(x / b)))(xs),
    kinks: () => [0],
  }),
  make({
    title: 'SwishBeta (Ramachandran et al. 2017): x sigmoid(beta x)',
    params: f32(-3, 3),
    make: (beta) => lib.swishBeta({ initialBeta: beta }),
    row: (xs, beta) => elementwise((x) => x * sigmoid(beta * x))(xs),
    kinks: () => [],
  }),
  make({
    title: 'ACON-C (Ma et al. 2021), shared: (p1 - p2) x sigmoid(beta (p1 - p2) x) + p2 x',
    params: fc.record({ p1: f32(-2, 2), p2: f32(-2, 2), beta: f32(-3, 3) }),
    make: ({ p1, p2, beta }) =>
      lib.aconC({ perUnit: false, p1Initializer: constant(p1), p2Initializer: constant(p2), betaInitializer: constant(beta) }),
    row: (xs, { p1, p2, beta }) => elementwise((x) => (p1 - p2) * x * sigmoid(beta * (p1 - p2) * x) + p2 * x)(xs),
    kinks: () => [],
  }),
  // --- Sigmoid and tanh -----------------------------------------------------------------------
  make({
    title: 'MSAF (Cai et al. 2015): a + sum_k sigmoid(x - b_k)',
    params: fc.record({
      a: f32(-2, 2),
      b: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 3 }).map((b) => b.map((v) => v / 4).sort((p, q) => p - q)),
    }),
    make: ({ a, b }) => lib.msaf({ a, b }),
    row: (xs, { a, b }) => elementwise((x) => a + b.reduce((s, bk) => s + sigmoid(x - bk), 0))(xs),
    kinks: () => [],
  }),
  make({
    title: 'SymmetricalMSAF (Cai et al. 2015): -1 + sigmoid(x) + sigmoid(x + a)',
    params: f32(-25, -0.5),
    make: (a) => lib.symmetricalMSAF({ a }),
    row: (xs, a) => elementwise((x) => -1 + sigmoid(x) + sigmoid(x + a))(xs),
    kinks: () => [],
  }),
  make({
    title: "AdaptiveTanh 'scaled': a tanh(b x)",
    params: fc.record({ a: f32(-2, 2), b: f32(-2, 2) }),
    make: () => lib.adaptiveTanh(),
    setWeights: (layer, { a, b }) => layer.setWeights([tf.scalar(a), tf.scalar(b)]),
    row: (xs, { a, b }) => elementwise((x) => a * Math.tanh(b * x))(xs),
    kinks: () => [],
  }),
  make({
    title: "AdaptiveTanh 'jagtap' (Jagtap et al. 2020): tanh(n a x)",
    params: fc.record({ n: f32(1, 20), a: f32(-0.2, 0.2) }),
    make: ({ n }) => lib.adaptiveTanh({ form: 'jagtap', scale: n }),
    setWeights: (layer, { a }) => layer.setWeights([tf.scalar(a)]),
    row: (xs, { n, a }) => elementwise((x) => Math.tanh(n * a * x))(xs),
    kinks: () => [],
  }),
  make({
    title: 'Snake (Ziyin et al. 2020): x + sin^2(a x) / a, learnable or fixed a',
    params: fc.record({ a: fc.oneof(f32(0.2, 3), f32(-3, -0.2)), learnable: fc.boolean() }),
    make: ({ a, learnable }) => lib.snake({ a, learnable }),
    row: (xs, { a }) => elementwise((x) => x + Math.sin(a * x) ** 2 / a)(xs),
    kinks: () => [],
  }),
  // --- Rational ---------------------------------------------------------------------------------
  make({
    title: 'PAU (Molina et al. 2020), safe form: P(x) / (1 + sum_k |b_k| |x|^k)',
    params: fc.record({
      num: fc.array(f32(-2, 2), { minLength: 1, maxLength: 6 }),
      den: fc.array(f32(-2, 2), { minLength: 1, maxLength: 4 }),
    }),
    make: ({ num, den }) => lib.pau({ initialNumerator: num, initialDenominator: den }),
    row: (xs, { num, den }) =>
      elementwise((x) => {
        const p = num.reduce((s, c, j) => s + c * x ** j, 0);
        const q = 1 + den.reduce((s, c, k) => s + Math.abs(c) * Math.abs(x) ** (k + 1), 0);
        return p / q;
      })(xs),
    kinks: () => [0],
    tol: [1e-4, 1e-4],
  }),
];

/** A shape of rank 1 to 3 whose last axis is a multiple of `group`, and values in [-4, 4] for it. */
function inputs(group: number) {
  return fc
    .tuple(fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }), fc.integer({ min: 1, max: 4 }))
    .map(([outer, last]) => [...outer, last * group])
    .chain((shape) =>
      fc.tuple(
        fc.constant(shape),
        fc.array(fc.double({ min: -4, max: 4, noNaN: true }).map(Math.fround), {
          minLength: shape.reduce((a, b) => a * b, 1),
          maxLength: shape.reduce((a, b) => a * b, 1),
        }),
      ),
    );
}

/** The formula applied row by row along the last axis of `values` (shape `shape`). */
function expected<P>(c: Case<P>, p: P, shape: number[], values: number[]): number[] {
  const width = shape[shape.length - 1];
  const out: number[] = [];
  for (let i = 0; i < values.length; i += width) out.push(...c.row(values.slice(i, i + width), p));
  return out;
}

/** The built layer with parameters `p`, applied once to `x`. */
function built<P>(c: Case<P>, p: P, x: tf.Tensor): tf.layers.Layer {
  const layer = c.make(p);
  tf.tidy(() => {
    layer.apply(x);
  });
  c.setWeights?.(layer, p);
  return layer;
}

/** Every case with its parameters, an input shape and values, and random output weights r. */
function sample(c: Case<unknown>) {
  return c.params.chain((p) =>
    inputs(c.group?.(p) ?? 1).chain(([shape, values]) =>
      fc.tuple(
        fc.constant(p),
        fc.constant(shape),
        fc.constant(values),
        fc.array(f32(-1, 1), { minLength: values.length, maxLength: values.length }),
      ),
    ),
  );
}

describe.each(BACKENDS)('layer properties on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(CASES)('$title', (c) => {
    it('computes its formula for random shapes, values and parameters', () => {
      const [atol, rtol] = c.tol ?? [1e-5, 1e-5];
      fc.assert(
        fc.property(sample(c), ([p, shape, values]) => {
          const x = tf.tensor(values, shape);
          const y = tf.tidy(() => (built(c, p, x).apply(x) as tf.Tensor).dataSync());
          expectClose(y, expected(c, p, shape, values), atol, rtol);
          x.dispose();
        }),
        { numRuns: RUNS },
      );
    });

    it('has input gradients equal to finite differences of its formula', () => {
      const h = 1e-5;
      fc.assert(
        fc.property(sample(c), ([p, shape, raw, r]) => {
          // Away from the kinks (and, for Maxout, from ties inside a group), f has a derivative.
          const kinks = c.kinks(p);
          const values = raw.map((v) => {
            for (const k of kinks) if (Math.abs(v - k) < 1e-3) return Math.fround(v + (v >= k ? 1e-3 : -1e-3));
            return v;
          });
          const group = c.group?.(p) ?? 1;
          for (let i = 0; i < values.length; i += group) {
            const g = values.slice(i, i + group).sort((a, b) => a - b);
            fc.pre(g.every((v, j) => j === 0 || v - g[j - 1] > 1e-3));
          }
          const x = tf.tensor(values, shape);
          const layer = built(c, p, x);
          const rOut = tf.tensor(r.slice(0, values.length / group), [...shape.slice(0, -1), shape[shape.length - 1] / group]);
          const analytic = tf.tidy(() => tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).mul(rOut).sum())(x).dataSync());
          const loss = (v: number[]) => expected(c, p, shape, v).reduce((s, y, j) => s + y * r[j], 0);
          const numeric = values.map((_, i) => {
            const plus = values.slice();
            const minus = values.slice();
            plus[i] += h;
            minus[i] -= h;
            return (loss(plus) - loss(minus)) / (2 * h);
          });
          expectClose(analytic, numeric, 2e-4, 2e-3);
          x.dispose();
          rOut.dispose();
        }),
        { numRuns: RUNS },
      );
    });

    it('round-trips getConfig -> JSON -> fromConfig, and the copy computes the same', () => {
      fc.assert(
        fc.property(sample(c), ([p, shape, values]) => {
          const x = tf.tensor(values, shape);
          const layer = built(c, p, x);
          const config = layer.getConfig();
          const cls = layer.constructor as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>;
          expect(cls.fromConfig(cls, config).getConfig()).toEqual(config);
          // Through JSON, as a saved model holds it (JSON has no -0: a -0 comes back as 0).
          const json = JSON.parse(JSON.stringify(config));
          const copy = cls.fromConfig(cls, json);
          expect(JSON.parse(JSON.stringify(copy.getConfig()))).toEqual(json);
          tf.tidy(() => {
            copy.apply(x);
          });
          copy.setWeights(layer.getWeights());
          const [a, b] = tf.tidy(() => [layer, copy].map((l) => (l.apply(x) as tf.Tensor).dataSync()));
          expectClose(b, a, 0, 0);
          x.dispose();
        }),
        { numRuns: RUNS },
      );
    });
  });
});
