/**
 * The SIMD kernels built on the sigmoid: Swish-beta, ACON-C and MSAF's sum of sigmoids.
 */
import { exported, MATH, N, ONE, ptrs, splatScalars, UNITS } from './wat_function.js';
import { addToUnitSums, elementLoop, get, LOOP_LOCALS, ROW_LOOP_LOCALS, rowLoop, SIGMOID_SLOPE, sigmoidInto } from './wat_math.js';

/**
 * s (1 - s) for a saved sigmoid value s: 1 - s is exact in float32 for s >= 1/2 (Sterbenz), so one
 * rounding, where s - s^2 cancels. (The gradients read s as the forward pass stored it; the
 * JavaScript loops compute s - s s in float64 from the same float32 s.)
 */
function sigmoidSlopeOf(s: string): string {
  return `(f32x4.mul ${get(s)} (f32x4.sub ${ONE} ${get(s)}))`;
}

/**
 * Swish-beta, per-unit beta (units values):
 * swish_beta(x, beta, y, sig, n, units): s = sigmoid(beta x), sig = s, y = x s.
 * swish_beta_grad(dy, x, sig, beta, dx, dbeta, n, units): q = x s (1 - s), dx = dy (s + beta q),
 * dbeta[unit] += dy x q (dbeta, dbeta64: per-unit float32 partial sums and float64 totals, see
 * rowLoop; zeroed by the caller).
 */
export const swishBeta = [
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
    [...ptrs('dy', 'x', 'sig', 'beta', 'dx', 'dbeta', 'dbeta64'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH}`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $g ${el.load('dy')})`,
        `(local.set $s ${el.load('sig')})`,
        `(local.set $q (f32x4.mul ${get('v')} ${sigmoidSlopeOf('s')}))`,
        el.store('dx', `(f32x4.mul ${get('g')} (f32x4.add ${get('s')} (f32x4.mul ${unit.load('beta')} ${get('q')})))`),
        // dy (x q), not (dy x) q: dy x overflows for |x| near float32's maximum, where q is 0.
        addToUnitSums(unit, 'dbeta', `(f32x4.mul ${get('g')} (f32x4.mul ${get('v')} ${get('q')}))`),
      ].join('\n'),
      ['dbeta'],
    ),
  ),
];

/**
 * ACON-C, per-unit p1, p2, beta (d = p1 - p2):
 * acon_c(x, p1, p2, beta, y, sig, n, units): s = sigmoid(beta d x), sig = s, y = x (d s + p2).
 * acon_c_grad(dy, x, sig, p1, p2, beta, dx, sumA, sumA64, sumD, sumD64, sumQ, sumQ64, n, units):
 * q = x s (1 - s), b = beta d q, dx = dy (d s + d b + p2); per unit: sumA += dy (x s + x b),
 * sumD += dy x (1 - s - b), sumQ += dy x q (each a pair of float32 partial sums and float64
 * totals, see rowLoop; zeroed by the caller; dp1 = sumA, dp2 = sumD, dbeta = d^2 sumQ).
 */
export const aconC = [
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
    [...ptrs('dy', 'x', 'sig', 'p1', 'p2', 'beta', 'dx', 'sumA', 'sumA64', 'sumD', 'sumD64', 'sumQ', 'sumQ64'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH} (local $d v128) (local $b v128)`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $g ${el.load('dy')})`,
        `(local.set $s ${el.load('sig')})`,
        `(local.set $d (f32x4.sub ${unit.load('p1')} ${unit.load('p2')}))`,
        `(local.set $q (f32x4.mul ${get('v')} ${sigmoidSlopeOf('s')}))`,
        `(local.set $b (f32x4.mul (f32x4.mul ${unit.load('beta')} ${get('d')}) ${get('q')}))`,
        el.store('dx', `(f32x4.mul ${get('g')} (f32x4.add (f32x4.add (f32x4.mul ${get('d')} ${get('s')}) (f32x4.mul ${get('d')} ${get('b')})) ${unit.load('p2')}))`),
        addToUnitSums(unit, 'sumA', `(f32x4.mul ${get('g')} (f32x4.add (f32x4.mul ${get('v')} ${get('s')}) (f32x4.mul ${get('v')} ${get('b')})))`),
        // dp2's terms directly, dy x ((1 - s) - b): as sumX - sumA they would cancel (s near 1).
        addToUnitSums(unit, 'sumD', `(f32x4.mul ${get('g')} (f32x4.mul ${get('v')} (f32x4.sub (f32x4.sub ${ONE} ${get('s')}) ${get('b')})))`),
        addToUnitSums(unit, 'sumQ', `(f32x4.mul ${get('g')} (f32x4.mul ${get('v')} ${get('q')}))`),
      ].join('\n'),
      ['sumA', 'sumD', 'sumQ'],
    ),
  ),
];

/**
 * A sum of shifted sigmoids, one shift per call (MSAF):
 * sigmoid_sum_first(x, y, slope, n, shift, offset): s = sigmoid(x - shift); y = offset + s,
 * slope = s (1 - s) (as e / (1 + e)^2, see SIGMOID_SLOPE). sigmoid_sum_two(x, y, slope, n, shift0,
 * shift1, offset): the same for two shifts in one pass (MSAF's usual case).
 * sigmoid_sum_add(x, y, slope, n, shift): y += s, slope += s (1 - s).
 * multiply(a, b, out, n): out = a b (the gradient dy slope).
 */
const FIRST = splatScalars('shift', 'offset');
const TWO = splatScalars('shift0', 'shift1', 'offset');
const ADD = splatScalars('shift');

export const sigmoidSum = [
  exported(
    'sigmoid_sum_first',
    [...ptrs('x', 'y', 'slope'), N, ...FIRST.params],
    `${LOOP_LOCALS} ${MATH} ${FIRST.locals}`,
    `${FIRST.init}
${elementLoop(({ load, store }) =>
  [
    `(local.set $z (f32x4.sub ${load('x')} ${get('vShift')}))`,
    sigmoidInto('s', 'z'),
    store('y', `(f32x4.add ${get('vOffset')} ${get('s')})`),
    store('slope', SIGMOID_SLOPE),
  ].join('\n'),
)}`,
  ),
  exported(
    'sigmoid_sum_two',
    [...ptrs('x', 'y', 'slope'), N, ...TWO.params],
    `${LOOP_LOCALS} ${MATH} ${TWO.locals}`,
    `${TWO.init}
${elementLoop(({ load, store }) =>
  [
    `(local.set $v ${load('x')})`,
    `(local.set $z (f32x4.sub ${get('v')} ${get('vShift0')}))`,
    sigmoidInto('s', 'z'),
    `(local.set $q ${SIGMOID_SLOPE})`,
    `(local.set $z (f32x4.sub ${get('v')} ${get('vShift1')}))`,
    sigmoidInto('w', 'z'),
    store('y', `(f32x4.add (f32x4.add ${get('vOffset')} ${get('s')}) ${get('w')})`),
    store('slope', `(f32x4.add ${get('q')} ${SIGMOID_SLOPE})`),
  ].join('\n'),
)}`,
  ),
  exported(
    'sigmoid_sum_add',
    [...ptrs('x', 'y', 'slope'), N, ...ADD.params],
    `${LOOP_LOCALS} ${MATH} ${ADD.locals}`,
    `${ADD.init}
${elementLoop(({ load, store }) =>
  [
    `(local.set $z (f32x4.sub ${load('x')} ${get('vShift')}))`,
    sigmoidInto('s', 'z'),
    store('y', `(f32x4.add ${load('y')} ${get('s')})`),
    store('slope', `(f32x4.add ${load('slope')} ${SIGMOID_SLOPE})`),
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
