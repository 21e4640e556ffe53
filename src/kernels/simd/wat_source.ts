/**
 * The WebAssembly text of the library's SIMD kernels for tfjs' wasm backend. The module imports
 * the backend's own memory (`env.memory`), so that a kernel reads its input tensors and writes
 * its outputs where tfjs keeps them, by byte offset, with no copy. It has no data, no globals, no
 * stack and no memory of its own: it never touches memory outside the tensors it is given.
 *
 * scripts/build_simd.ts assembles this text (with the `wabt` package) into module_bytes.ts;
 * test/kernels/simd/module_bytes.test.ts checks that the two agree.
 *
 * Every kernel takes byte offsets of float32 arrays and an element count `n` (i32), then scalars
 * (f32). Per-unit parameters are float32 arrays of `units` values; a row of the input is `units`
 * consecutive values.
 */
import {
  elementLoop,
  expInto,
  expm1Into,
  f32x4,
  get,
  LOOP_LOCALS,
  MATH_LOCALS,
  ROW_LOOP_LOCALS,
  rowLoop,
  SIN_LOCALS,
  sigmoidInto,
  sinProductInto,
  v128Locals,
} from './wat_math.js';

interface Param {
  name: string;
  type: 'i32' | 'f32' | 'f64';
}

/** A function exported under `name`, with `params`, extra `locals` (declarations) and `body`. */
function exported(name: string, params: Param[], locals: string, body: string): string {
  const ps = params.map((p) => `(param $${p.name} ${p.type})`).join(' ');
  return `(func (export "${name}") ${ps} ${locals}\n${body})`;
}

const ptrs = (...names: string[]): Param[] => names.map((name) => ({ name, type: 'i32' as const }));
const scalars = (...names: string[]): Param[] => names.map((name) => ({ name, type: 'f32' as const }));
const N: Param = { name: 'n', type: 'i32' };
const UNITS: Param = { name: 'units', type: 'i32' };
const MATH = v128Locals([...MATH_LOCALS, ...SIN_LOCALS, 'v', 'w', 'z', 'g', 's', 'q']);
const ONE = f32x4(1);
const ZERO = f32x4(0);

/** Lane-wise `a > 0 ? yes : no` (NaN takes `no`). */
function ifPositive(a: string, yes: string, no: string): string {
  return `(v128.bitselect ${yes} ${no} (f32x4.gt ${a} ${ZERO}))`;
}

/** value, with lanes 1-3 zeroed in the one-element copy of a loop body (for sums over lanes). */
function counted(value: string, lanes: 4 | 1): string {
  return lanes === 4 ? value : `(v128.and ${value} (v128.const i32x4 -1 0 0 0))`;
}

/** out[i] = f(in[i]) for one of the math snippets: for testing them against float64. */
function mathTest(name: string, snippet: (out: string, v: string) => string): string {
  return exported(
    name,
    [...ptrs('x', 'y'), N],
    `${LOOP_LOCALS} ${MATH}`,
    elementLoop(({ load, store }) => [`(local.set $v ${load('x')})`, snippet('w', 'v'), store('y', get('w'))].join('\n')),
  );
}

/**
 * scaled_elu(x, y, n, alpha, inv): y = x for x > 0, alpha expm1(x inv) otherwise (NaN stays NaN).
 * scaled_elu_grad(dy, x, y, dx, n, alpha, inv): dx = dy for x > 0, dy (y + alpha) inv otherwise.
 */
const scaledElu = [
  exported(
    'scaled_elu',
    [...ptrs('x', 'y'), N, ...scalars('alpha', 'inv')],
    `${LOOP_LOCALS} ${MATH} (local $va v128) (local $vi v128)`,
    `(local.set $va (f32x4.splat ${get('alpha')}))
(local.set $vi (f32x4.splat ${get('inv')}))
${elementLoop(({ load, store }) =>
  [
    `(local.set $v ${load('x')})`,
    // Positive lanes give an unspecified expm1 (even NaN), which the select below discards.
    expm1Into('w', `(f32x4.mul ${get('v')} ${get('vi')})`),
    store('y', ifPositive(get('v'), get('v'), `(f32x4.mul ${get('va')} ${get('w')})`)),
  ].join('\n'),
)}`,
  ),
  exported(
    'scaled_elu_grad',
    [...ptrs('dy', 'x', 'y', 'dx'), N, ...scalars('alpha', 'inv')],
    `${LOOP_LOCALS} ${MATH} (local $va v128) (local $vi v128)`,
    `(local.set $va (f32x4.splat ${get('alpha')}))
(local.set $vi (f32x4.splat ${get('inv')}))
${elementLoop(({ load, store }) =>
  store('dx', `(f32x4.mul ${load('dy')} ${ifPositive(load('x'), ONE, `(f32x4.mul (f32x4.add ${load('y')} ${get('va')}) ${get('vi')})`)})`),
)}`,
  ),
];

/**
 * PELU with bounded a, b given as a and inv = 1 / b:
 * pelu(x, y, n, a, inv): z = x inv; y = a z for z > 0, a expm1(z) otherwise.
 * pelu_grad(dy, x, y, dx, sums, n, a, inv): e = y / a, gz = dy for x > 0 and dy (e + 1) otherwise;
 * dx = gz a inv; float64 sums[0] = sum dy e, sums[1] = sum gz x (added in float64).
 */
const pelu = [
  exported(
    'pelu',
    [...ptrs('x', 'y'), N, ...scalars('a', 'inv')],
    `${LOOP_LOCALS} ${MATH} (local $va v128) (local $vi v128)`,
    `(local.set $va (f32x4.splat ${get('a')}))
(local.set $vi (f32x4.splat ${get('inv')}))
${elementLoop(({ load, store }) =>
  [
    `(local.set $z (f32x4.mul ${load('x')} ${get('vi')}))`,
    expm1Into('w', get('z')), // positive lanes: discarded below
    store('y', `(f32x4.mul ${get('va')} ${ifPositive(get('z'), get('z'), get('w'))})`),
  ].join('\n'),
)}`,
  ),
  exported(
    'pelu_grad',
    [...ptrs('dy', 'x', 'y', 'dx', 'sums'), N, ...scalars('a', 'inv')],
    `${LOOP_LOCALS} ${MATH} (local $vInvA v128) (local $vScale v128) (local $sumA0 v128) (local $sumA1 v128) (local $sumB0 v128) (local $sumB1 v128)`,
    `(local.set $vInvA (f32x4.splat (f32.div (f32.const 1) ${get('a')})))
(local.set $vScale (f32x4.splat (f32.mul ${get('a')} ${get('inv')})))
${elementLoop(({ load, store, lanes }) =>
  [
    `(local.set $v ${load('x')})`,
    `(local.set $g ${load('dy')})`,
    `(local.set $w (f32x4.mul ${load('y')} ${get('vInvA')}))`,
    `(local.set $z (f32x4.mul ${get('g')} ${ifPositive(get('v'), ONE, `(f32x4.add ${get('w')} ${ONE})`)}))`,
    store('dx', `(f32x4.mul ${get('z')} ${get('vScale')})`),
    addF64('sumA', counted(`(f32x4.mul ${get('g')} ${get('w')})`, lanes)),
    addF64('sumB', counted(`(f32x4.mul ${get('z')} ${get('v')})`, lanes)),
  ].join('\n'),
)}
(f64.store (local.get $sums) ${totalF64('sumA')})
(f64.store offset=8 (local.get $sums) ${totalF64('sumB')})`,
  ),
];

/** Adds the four float32 lanes of `value` to the float64 pair accumulators `name`0 and `name`1. */
function addF64(name: string, value: string): string {
  return [
    `(local.set $q ${value})`,
    `(local.set $${name}0 (f64x2.add ${get(`${name}0`)} (f64x2.promote_low_f32x4 ${get('q')})))`,
    `(local.set $${name}1 (f64x2.add ${get(`${name}1`)} (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${get('q')} ${get('q')}))))`,
  ].join('\n');
}

/** The float64 total of the accumulators `name`0 and `name`1. */
function totalF64(name: string): string {
  const sum = `(f64x2.add ${get(`${name}0`)} ${get(`${name}1`)})`;
  return `(f64.add (f64x2.extract_lane 0 ${sum}) (f64x2.extract_lane 1 ${sum}))`;
}

/**
 * Swish-beta, per-unit beta (units values):
 * swish_beta(x, beta, y, sig, n, units): s = sigmoid(beta x), sig = s, y = x s.
 * swish_beta_grad(dy, x, sig, beta, dx, dbeta, n, units): q = x s (1 - s), dx = dy (s + beta q),
 * dbeta[unit] += dy x q (dbeta holds units sums, zeroed by the caller).
 */
const swishBeta = [
  exported(
    'swish_beta',
    [...ptrs('x', 'beta', 'y', 'sig'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH}`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $z (f32x4.mul ${unit.load('beta')} ${get('v')}))`,
        sigmoidInto('s', 'z'),
        el.store('sig', get('s')),
        el.store('y', `(f32x4.mul ${get('v')} ${get('s')})`),
      ].join('\n'),
    ),
  ),
  exported(
    'swish_beta_grad',
    [...ptrs('dy', 'x', 'sig', 'beta', 'dx', 'dbeta'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH}`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $g ${el.load('dy')})`,
        `(local.set $s ${el.load('sig')})`,
        `(local.set $q (f32x4.mul ${get('v')} (f32x4.sub ${get('s')} (f32x4.mul ${get('s')} ${get('s')}))))`,
        el.store('dx', `(f32x4.mul ${get('g')} (f32x4.add ${get('s')} (f32x4.mul ${unit.load('beta')} ${get('q')})))`),
        unit.store('dbeta', `(f32x4.add ${unit.load('dbeta')} (f32x4.mul (f32x4.mul ${get('g')} ${get('v')}) ${get('q')}))`),
      ].join('\n'),
    ),
  ),
];

/**
 * ACON-C, per-unit p1, p2, beta (d = p1 - p2):
 * acon_c(x, p1, p2, beta, y, sig, n, units): s = sigmoid(beta d x), sig = s, y = x (d s + p2).
 * acon_c_grad(dy, x, sig, p1, p2, beta, dx, sumA, sumX, sumQ, n, units): q = x s (1 - s),
 * b = beta d q, dx = dy (d s + d b + p2); per unit: sumA += dy (x s + x b), sumX += dy x,
 * sumQ += dy x q (zeroed by the caller; dp1 = sumA, dp2 = sumX - sumA, dbeta = d^2 sumQ).
 */
const aconC = [
  exported(
    'acon_c',
    [...ptrs('x', 'p1', 'p2', 'beta', 'y', 'sig'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH} (local $d v128)`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $d (f32x4.sub ${unit.load('p1')} ${unit.load('p2')}))`,
        `(local.set $z (f32x4.mul (f32x4.mul ${unit.load('beta')} ${get('d')}) ${get('v')}))`,
        sigmoidInto('s', 'z'),
        el.store('sig', get('s')),
        el.store('y', `(f32x4.mul ${get('v')} (f32x4.add (f32x4.mul ${get('d')} ${get('s')}) ${unit.load('p2')}))`),
      ].join('\n'),
    ),
  ),
  exported(
    'acon_c_grad',
    [...ptrs('dy', 'x', 'sig', 'p1', 'p2', 'beta', 'dx', 'sumA', 'sumX', 'sumQ'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH} (local $d v128) (local $b v128)`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $g ${el.load('dy')})`,
        `(local.set $s ${el.load('sig')})`,
        `(local.set $d (f32x4.sub ${unit.load('p1')} ${unit.load('p2')}))`,
        `(local.set $q (f32x4.mul ${get('v')} (f32x4.sub ${get('s')} (f32x4.mul ${get('s')} ${get('s')}))))`,
        `(local.set $b (f32x4.mul (f32x4.mul ${unit.load('beta')} ${get('d')}) ${get('q')}))`,
        el.store('dx', `(f32x4.mul ${get('g')} (f32x4.add (f32x4.add (f32x4.mul ${get('d')} ${get('s')}) (f32x4.mul ${get('d')} ${get('b')})) ${unit.load('p2')}))`),
        `(local.set $w (f32x4.mul ${get('g')} ${get('v')}))`,
        unit.store('sumA', `(f32x4.add ${unit.load('sumA')} (f32x4.mul ${get('g')} (f32x4.add (f32x4.mul ${get('v')} ${get('s')}) (f32x4.mul ${get('v')} ${get('b')}))))`),
        unit.store('sumX', `(f32x4.add ${unit.load('sumX')} ${get('w')})`),
        unit.store('sumQ', `(f32x4.add ${unit.load('sumQ')} (f32x4.mul ${get('w')} ${get('q')}))`),
      ].join('\n'),
    ),
  ),
];

/**
 * A sum of shifted sigmoids, one shift per call (MSAF):
 * sigmoid_sum_first(x, y, slope, n, shift, offset): s = sigmoid(x - shift); y = offset + s,
 * slope = s - s^2. sigmoid_sum_two(x, y, slope, n, shift0, shift1, offset): the same for two
 * shifts in one pass (MSAF's usual case). sigmoid_sum_add(x, y, slope, n, shift): y += s,
 * slope += s - s^2.
 * multiply(a, b, out, n): out = a b (the gradient dy slope).
 */
const sigmoidSum = [
  exported(
    'sigmoid_sum_first',
    [...ptrs('x', 'y', 'slope'), N, ...scalars('shift', 'offset')],
    `${LOOP_LOCALS} ${MATH} (local $vShift v128) (local $vOffset v128)`,
    `(local.set $vShift (f32x4.splat ${get('shift')}))
(local.set $vOffset (f32x4.splat ${get('offset')}))
${elementLoop(({ load, store }) =>
  [
    `(local.set $z (f32x4.sub ${load('x')} ${get('vShift')}))`,
    sigmoidInto('s', 'z'),
    store('y', `(f32x4.add ${get('vOffset')} ${get('s')})`),
    store('slope', `(f32x4.sub ${get('s')} (f32x4.mul ${get('s')} ${get('s')}))`),
  ].join('\n'),
)}`,
  ),
  exported(
    'sigmoid_sum_two',
    [...ptrs('x', 'y', 'slope'), N, ...scalars('shift0', 'shift1', 'offset')],
    `${LOOP_LOCALS} ${MATH} (local $vShift0 v128) (local $vShift1 v128) (local $vOffset v128)`,
    `(local.set $vShift0 (f32x4.splat ${get('shift0')}))
(local.set $vShift1 (f32x4.splat ${get('shift1')}))
(local.set $vOffset (f32x4.splat ${get('offset')}))
${elementLoop(({ load, store }) =>
  [
    `(local.set $v ${load('x')})`,
    `(local.set $z (f32x4.sub ${get('v')} ${get('vShift0')}))`,
    sigmoidInto('s', 'z'),
    `(local.set $z (f32x4.sub ${get('v')} ${get('vShift1')}))`,
    sigmoidInto('w', 'z'),
    store('y', `(f32x4.add (f32x4.add ${get('vOffset')} ${get('s')}) ${get('w')})`),
    store('slope', `(f32x4.add (f32x4.sub ${get('s')} (f32x4.mul ${get('s')} ${get('s')})) (f32x4.sub ${get('w')} (f32x4.mul ${get('w')} ${get('w')})))`),
  ].join('\n'),
)}`,
  ),
  exported(
    'sigmoid_sum_add',
    [...ptrs('x', 'y', 'slope'), N, ...scalars('shift')],
    `${LOOP_LOCALS} ${MATH} (local $vShift v128)`,
    `(local.set $vShift (f32x4.splat ${get('shift')}))
${elementLoop(({ load, store }) =>
  [
    `(local.set $z (f32x4.sub ${load('x')} ${get('vShift')}))`,
    sigmoidInto('s', 'z'),
    store('y', `(f32x4.add ${load('y')} ${get('s')})`),
    store('slope', `(f32x4.add ${load('slope')} (f32x4.sub ${get('s')} (f32x4.mul ${get('s')} ${get('s')})))`),
  ].join('\n'),
)}`,
  ),
  exported(
    'multiply',
    [...ptrs('a', 'b', 'out'), N],
    LOOP_LOCALS,
    elementLoop(({ load, store }) => store('out', `(f32x4.mul ${load('a')} ${load('b')})`)),
  ),
];

// Byte patterns of i8x16.shuffle over two vectors a = [a0 a1 a2 a3], b = [b0 b1 b2 b3].
const lanes = (...ls: number[]): string => ls.flatMap((l) => [0, 1, 2, 3].map((k) => 4 * l + k)).join(' ');
const EVENS = lanes(0, 2, 4, 6); // [a0 a2 b0 b2]
const ODDS = lanes(1, 3, 5, 7); // [a1 a3 b1 b3]
const ZIP_LO = lanes(0, 4, 1, 5); // [a0 b0 a1 b1]
const ZIP_HI = lanes(2, 6, 3, 7); // [a2 b2 a3 b3]

/** 1.0 in the lanes where `mask` is set, 0.0 elsewhere. */
const indicator = (mask: string): string => `(v128.and ${mask} ${ONE})`;

/**
 * A loop over n outputs of groups of two inputs: `vector` handles four outputs (inputs at byte
 * offset 2i and 2i + 16 of their arrays, outputs at i), `scalar` one (inputs at 2i and 2i + 4);
 * {@link at2} and {@link at} give those addresses.
 */
function pairLoop(vector: string, scalar: string): string {
  return `(local.set $end (i32.shl ${get('n')} (i32.const 2)))
(local.set $end4 (i32.and ${get('end')} (i32.const -16)))
(block $done4 (loop $next4
  (br_if $done4 (i32.ge_u ${get('i')} ${get('end4')}))
  ${vector}
  (local.set $i (i32.add ${get('i')} (i32.const 16)))
  (br $next4)))
(block $done1 (loop $next1
  (br_if $done1 (i32.ge_u ${get('i')} ${get('end')}))
  ${scalar}
  (local.set $i (i32.add ${get('i')} (i32.const 4)))
  (br $next1)))`;
}
const at2 = (ptr: string): string => `(i32.add ${get(ptr)} (i32.shl ${get('i')} (i32.const 1)))`;
const at = (ptr: string): string => `(i32.add ${get(ptr)} ${get('i')})`;
const PAIR_LOCALS = '(local $i i32) (local $end i32) (local $end4 i32) (local $a v128) (local $b v128)';
/** Loads of the current pair(s) of x into $a, $b: four pairs deinterleaved later, or one pair. */
const loadPairs = `(local.set $a (v128.load align=4 ${at2('x')}))
  (local.set $b (v128.load offset=16 align=4 ${at2('x')}))`;
const loadPair = `(local.set $a (v128.load32_zero align=4 ${at2('x')}))
  (local.set $b (v128.load32_zero offset=4 align=4 ${at2('x')}))`;

/**
 * Maxout over pairs of consecutive values (pieces = 2), for n outputs (2n inputs):
 * maxout2(x, y, n): y[g] = max(x[2g], x[2g+1]) (NaN if either is NaN, as f32x4.max).
 * maxout2_grad(dy, x, dx, n): dx[2g + k] = dy[g] * (x[2g + k] == y[g] ? 1 : 0) (a product, so a
 * NaN or infinite dy gives NaN where the indicator is 0, as the JavaScript loop).
 */
const maxout = [
  exported(
    'maxout2',
    [...ptrs('x', 'y'), N],
    PAIR_LOCALS,
    pairLoop(
      `${loadPairs}
  (v128.store align=4 ${at('y')} (f32x4.max (i8x16.shuffle ${EVENS} ${get('a')} ${get('b')}) (i8x16.shuffle ${ODDS} ${get('a')} ${get('b')})))`,
      `${loadPair}
  (v128.store32_lane align=4 0 ${at('y')} (f32x4.max ${get('a')} ${get('b')}))`,
    ),
  ),
  exported(
    'maxout2_grad',
    [...ptrs('dy', 'x', 'dx'), N],
    `${PAIR_LOCALS} (local $m v128) (local $d v128) (local $e v128) (local $o v128)`,
    pairLoop(
      `${loadPairs}
  (local.set $e (i8x16.shuffle ${EVENS} ${get('a')} ${get('b')}))
  (local.set $o (i8x16.shuffle ${ODDS} ${get('a')} ${get('b')}))
  (local.set $m (f32x4.max ${get('e')} ${get('o')}))
  (local.set $d (v128.load align=4 ${at('dy')}))
  (local.set $e (f32x4.mul ${get('d')} ${indicator(`(f32x4.eq ${get('e')} ${get('m')})`)}))
  (local.set $o (f32x4.mul ${get('d')} ${indicator(`(f32x4.eq ${get('o')} ${get('m')})`)}))
  (v128.store align=4 ${at2('dx')} (i8x16.shuffle ${ZIP_LO} ${get('e')} ${get('o')}))
  (v128.store offset=16 align=4 ${at2('dx')} (i8x16.shuffle ${ZIP_HI} ${get('e')} ${get('o')}))`,
      `${loadPair}
  (local.set $m (f32x4.max ${get('a')} ${get('b')}))
  (local.set $d (v128.load32_zero align=4 ${at('dy')}))
  (v128.store32_lane align=4 0 ${at2('dx')} (f32x4.mul ${get('d')} ${indicator(`(f32x4.eq ${get('a')} ${get('m')})`)}))
  (v128.store32_lane offset=4 align=4 0 ${at2('dx')} (f32x4.mul ${get('d')} ${indicator(`(f32x4.eq ${get('b')} ${get('m')})`)}))`,
    ),
  ),
];

/**
 * Snake, per-unit a (already guarded away from 0 by the caller) and inv = 1 / a:
 * snake(x, a, inv, y, sin, n, units): s = sin(a x), sin = s, y = x + s^2 inv.
 * snake_grad(dy, x, sin, a, inv, dx, sums, n, units): s2 = sin(2 a x), dx = dy (1 + s2),
 * sums[unit] += dy (x s2 - s^2 inv) (zeroed by the caller; da = sums inv).
 */
const snake = [
  exported(
    'snake',
    [...ptrs('x', 'a', 'inv', 'y', 'sin'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH} (local $va v128)`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $va ${unit.load('a')})`,
        sinProductInto('s', 'v', 'va', 1),
        el.store('sin', get('s')),
        el.store('y', `(f32x4.add ${get('v')} (f32x4.mul (f32x4.mul ${get('s')} ${get('s')}) ${unit.load('inv')}))`),
      ].join('\n'),
    ),
  ),
  exported(
    'snake_grad',
    [...ptrs('dy', 'x', 'sin', 'a', 'inv', 'dx', 'sums'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH} (local $va v128)`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $va ${unit.load('a')})`,
        `(local.set $g ${el.load('dy')})`,
        `(local.set $s ${el.load('sin')})`,
        sinProductInto('w', 'v', 'va', 2),
        el.store('dx', `(f32x4.mul ${get('g')} (f32x4.add ${ONE} ${get('w')}))`),
        unit.store(
          'sums',
          `(f32x4.add ${unit.load('sums')} (f32x4.mul ${get('g')} (f32x4.sub (f32x4.mul ${get('v')} ${get('w')}) (f32x4.mul (f32x4.mul ${get('s')} ${get('s')}) ${unit.load('inv')}))))`,
        ),
      ].join('\n'),
    ),
  ),
  exported(
    'test_sin',
    [...ptrs('x', 'y'), N],
    `${LOOP_LOCALS} ${MATH} (local $va v128)`,
    `(local.set $va ${ONE})
${elementLoop(({ load, store }) => [`(local.set $v ${load('x')})`, sinProductInto('w', 'v', 'va', 1), store('y', get('w'))].join('\n'))}`,
  ),
];

const f64 = (...names: string[]): Param[] => names.map((name) => ({ name, type: 'f64' as const }));
const PAU_A = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
const PAU_B = ['b1', 'b2', 'b3', 'b4'];
const SUMS_A = PAU_A.map((c) => `s${c}`);
const SUMS_B = PAU_B.map((c) => `s${c}`);

/** Float64 lanes of the float32 vector `v`: the low two, or the high two. */
function promote(v: string, high: boolean): string {
  return `(f64x2.promote_low_f32x4 ${high ? `(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${v} ${v})` : v})`;
}

/** c_k + t (c_{k+1} + ...) in float64 for the coefficient parameters `names` (lowest first). */
function horner64(names: string[], t: string): string {
  let acc = `(f64x2.splat ${get(names[names.length - 1])})`;
  for (let k = names.length - 2; k >= 0; k--) acc = `(f64x2.add (f64x2.mul ${acc} ${t}) (f64x2.splat ${get(names[k])}))`;
  return acc;
}

/** Two float64 pairs as one float32 vector (each rounded to float32 as a Float32Array store does). */
function demote2(lo: string, hi: string): string {
  return `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero ${lo}) (f32x4.demote_f64x2_zero ${hi}))`;
}

/**
 * PAU of the default degrees 5/4 in float64, two lanes at a time, with the operations of the
 * JavaScript loops (src/layers/pau.ts, forward54/backward54) in the same order: the same results
 * bit for bit, except the order in which the parameter sums add up.
 * pau54(x, y, n, a0..a5, b1..b4) with b_k = |denominator_k|: y = P(x) / (1 + |x| R(|x|)),
 * R(z) = b1 + b2 z + b3 z^2 + b4 z^3.
 * pau54_grad(dy, x, dx, sums, n, a0..a5, b1..b4): dx, and float64 sums[0..5] = sum dy/Q x^k,
 * sums[6..9] = -sum (dy/Q) (P/Q) |x|^k for k = 1..4.
 */
const pau = [
  exported(
    'pau54',
    [...ptrs('x', 'y'), N, ...f64(...PAU_A, ...PAU_B)],
    `${LOOP_LOCALS} ${v128Locals(['v', 'lo', 'hi', 't', 'z'])}`,
    elementLoop(({ load, store, lanes }) => {
      const half = (high: boolean): string => {
        const v = promote(get('v'), high);
        return `(local.set $t ${v})
(local.set $z (f64x2.abs ${get('t')}))
(local.set $${high ? 'hi' : 'lo'} (f64x2.div ${horner64(PAU_A, get('t'))} (f64x2.add ${f64x2c(1)} (f64x2.mul ${get('z')} ${horner64(PAU_B, get('z'))}))))`;
      };
      return [`(local.set $v ${load('x')})`, half(false), lanes === 4 ? half(true) : '', store('y', demote2(get('lo'), get('hi')))].join('\n');
    }),
  ),
  exported(
    'pau54_grad',
    [...ptrs('dy', 'x', 'dx', 'sums'), N, ...f64(...PAU_A, ...PAU_B)],
    `${LOOP_LOCALS} ${v128Locals(['v', 'g', 'lo', 'hi', 't', 'z', 'p', 'dp', 'r', 'dr', 'q', 'gq', 'c', 'w', ...SUMS_A, ...SUMS_B])}`,
    `${elementLoop(({ load, store, lanes }) => {
      const half = (high: boolean): string => {
        const acc = (sum: string, term: string, sign: '+' | '-'): string =>
          `(local.set $${sum} (f64x2.${sign === '+' ? 'add' : 'sub'} ${get(sum)} ${term}))`;
        const lines = [
          `(local.set $t ${promote(get('v'), high)})`,
          `(local.set $w ${promote(get('g'), high)})`,
          `(local.set $z (f64x2.abs ${get('t')}))`,
          // P, P' by Horner in x and R, R' in |x|, as backward54 (dp = dp x + p before p = p x + a_k).
          `(local.set $p (f64x2.splat ${get('a5')}))`,
          `(local.set $dp ${get('p')})`,
        ];
        for (const c of ['a4', 'a3', 'a2', 'a1']) {
          lines.push(`(local.set $p (f64x2.add (f64x2.mul ${get('p')} ${get('t')}) (f64x2.splat ${get(c)})))`);
          lines.push(`(local.set $dp (f64x2.add (f64x2.mul ${get('dp')} ${get('t')}) ${get('p')}))`);
        }
        lines.push(`(local.set $p (f64x2.add (f64x2.mul ${get('p')} ${get('t')}) (f64x2.splat ${get('a0')})))`);
        lines.push(`(local.set $r (f64x2.splat ${get('b4')}))`, `(local.set $dr ${get('r')})`);
        for (const c of ['b3', 'b2']) {
          lines.push(`(local.set $r (f64x2.add (f64x2.mul ${get('r')} ${get('z')}) (f64x2.splat ${get(c)})))`);
          lines.push(`(local.set $dr (f64x2.add (f64x2.mul ${get('dr')} ${get('z')}) ${get('r')}))`);
        }
        lines.push(`(local.set $r (f64x2.add (f64x2.mul ${get('r')} ${get('z')}) (f64x2.splat ${get('b1')})))`);
        lines.push(
          `(local.set $q (f64x2.add ${f64x2c(1)} (f64x2.mul ${get('z')} ${get('r')})))`,
          // dQ/dx = (R + |x| R') sign(x), sign = 1 for x > 0, else -1 (also at 0 and NaN).
          `(local.set $dr (f64x2.mul (f64x2.add ${get('r')} (f64x2.mul ${get('z')} ${get('dr')})) (v128.bitselect ${f64x2c(1)} ${f64x2c(-1)} (f64x2.gt ${get('t')} ${f64x2c(0)}))))`,
          `(local.set $gq (f64x2.div ${get('w')} ${get('q')}))`,
          `(local.set $${high ? 'hi' : 'lo'} (f64x2.mul ${get('gq')} (f64x2.sub ${get('dp')} (f64x2.div (f64x2.mul ${get('p')} ${get('dr')}) ${get('q')}))))`,
        );
        // sums of gq x^k (k = 0..5) and of c |x|^(k+1) (k = 0..4), with powers built as backward54 does.
        lines.push(acc('sa0', get('gq'), '+'), acc('sa1', `(f64x2.mul ${get('gq')} ${get('t')})`, '+'));
        lines.push(`(local.set $w (f64x2.mul ${get('t')} ${get('t')}))`, acc('sa2', `(f64x2.mul ${get('gq')} ${get('w')})`, '+'));
        lines.push(`(local.set $w (f64x2.mul ${get('w')} ${get('t')}))`, acc('sa3', `(f64x2.mul ${get('gq')} ${get('w')})`, '+'));
        lines.push(`(local.set $w (f64x2.mul ${get('w')} ${get('t')}))`, acc('sa4', `(f64x2.mul ${get('gq')} ${get('w')})`, '+'));
        lines.push(acc('sa5', `(f64x2.mul ${get('gq')} (f64x2.mul ${get('w')} ${get('t')}))`, '+'));
        lines.push(`(local.set $c (f64x2.div (f64x2.mul ${get('gq')} ${get('p')}) ${get('q')}))`);
        lines.push(acc('sb1', `(f64x2.mul ${get('c')} ${get('z')})`, '-'));
        lines.push(`(local.set $w (f64x2.mul ${get('z')} ${get('z')}))`, acc('sb2', `(f64x2.mul ${get('c')} ${get('w')})`, '-'));
        lines.push(`(local.set $w (f64x2.mul ${get('w')} ${get('z')}))`, acc('sb3', `(f64x2.mul ${get('c')} ${get('w')})`, '-'));
        lines.push(acc('sb4', `(f64x2.mul ${get('c')} (f64x2.mul ${get('w')} ${get('z')}))`, '-'));
        return lines.join('\n');
      };
      return [
        `(local.set $v ${load('x')})`,
        `(local.set $g ${load('dy')})`,
        half(false),
        lanes === 4 ? half(true) : '',
        store('dx', demote2(get('lo'), get('hi'))),
      ].join('\n');
    })}
${[...SUMS_A, ...SUMS_B]
  .map((sum, k) => `(f64.store offset=${8 * k} ${get('sums')} (f64.add (f64x2.extract_lane 0 ${get(sum)}) (f64x2.extract_lane 1 ${get(sum)})))`)
  .join('\n')}`,
  ),
];

/** `value` in both float64 lanes. */
function f64x2c(value: number): string {
  return `(v128.const f64x2 ${value} ${value})`;
}

/** mulberry32's state increment. */
const MULBERRY = 0x6d2b79f5;

/**
 * RReLU in training: rrelu_train(x, y, slopes, n, seed, lower, width): draw k (k = 0..n-1) is
 * mulberry32 from `seed` (the same numbers as src/experiment/shuffle.ts' mulberry32: its state
 * after k + 1 steps is seed + (k + 1) 0x6D2B79F5, so four draws are computed at once), a = lower +
 * width u in float64, slope = float32(1 / a); y = x for x > 0, x slope otherwise.
 * rrelu_train_grad(dy, x, slopes, dx, n): dx = dy for x > 0, dy slope otherwise.
 */
const rreluTrain = [
  exported(
    'rrelu_train',
    [...ptrs('x', 'y', 'slopes', 'n', 'seed'), { name: 'lower', type: 'f64' }, { name: 'width', type: 'f64' }],
    `${LOOP_LOCALS} ${MATH} (local $t v128) (local $lo v128) (local $hi v128) (local $vLower v128) (local $vWidth v128)`,
    `(local.set $vLower (f64x2.splat ${get('lower')}))
(local.set $vWidth (f64x2.splat ${get('width')}))
${elementLoop(({ load, store, lanes }) =>
  [
    lanes === 4
      ? `(local.set $t (i32x4.add (i32x4.splat ${get('seed')}) (v128.const i32x4 ${[1, 2, 3, 4].map((k) => (k * MULBERRY) | 0).join(' ')})))
(local.set $seed (i32.add ${get('seed')} (i32.const ${(4 * MULBERRY) | 0})))`
      : `(local.set $seed (i32.add ${get('seed')} (i32.const ${MULBERRY})))
(local.set $t (i32x4.splat ${get('seed')}))`,
    `(local.set $t (i32x4.mul (v128.xor ${get('t')} (i32x4.shr_u ${get('t')} (i32.const 15))) (v128.or ${get('t')} (i32x4.splat (i32.const 1)))))`,
    `(local.set $t (v128.xor ${get('t')} (i32x4.add ${get('t')} (i32x4.mul (v128.xor ${get('t')} (i32x4.shr_u ${get('t')} (i32.const 7))) (v128.or ${get('t')} (i32x4.splat (i32.const 61)))))))`,
    `(local.set $t (v128.xor ${get('t')} (i32x4.shr_u ${get('t')} (i32.const 14))))`,
    `(local.set $lo ${slopePair(get('t'))})`,
    `(local.set $hi ${slopePair(`(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${get('t')} ${get('t')})`)})`,
    `(local.set $s (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${get('lo')} ${get('hi')}))`,
    `(local.set $v ${load('x')})`,
    store('slopes', get('s')),
    store('y', ifPositive(get('v'), get('v'), `(f32x4.mul ${get('v')} ${get('s')})`)),
  ].join('\n'),
)}`,
  ),
  exported(
    'rrelu_train_grad',
    [...ptrs('dy', 'x', 'slopes', 'dx'), N],
    LOOP_LOCALS,
    elementLoop(({ load, store }) => store('dx', `(f32x4.mul ${load('dy')} ${ifPositive(load('x'), ONE, load('slopes'))})`)),
  ),
];

/** float32(1 / (lower + width u)) in lanes 0-1 for the uint32 draws in lanes 0-1 of `bits`. */
function slopePair(bits: string): string {
  const u = `(f64x2.mul (f64x2.convert_low_i32x4_u ${bits}) (v128.const f64x2 ${2 ** -32} ${2 ** -32}))`;
  return `(f32x4.demote_f64x2_zero (f64x2.div (v128.const f64x2 1 1) (f64x2.add ${get('vLower')} (f64x2.mul ${get('vWidth')} ${u}))))`;
}

/** The whole module's text. */
export function simdModuleText(): string {
  return `(module
(import "env" "memory" (memory 0))
${mathTest('test_expm1', (out, v) => expm1Into(out, get(v)))}
${mathTest('test_exp', expInto)}
${mathTest('test_sigmoid', sigmoidInto)}
${[...scaledElu, ...pelu, ...swishBeta, ...aconC, ...sigmoidSum, ...rreluTrain, ...maxout, ...snake, ...pau].join('\n')}
)`;
}
