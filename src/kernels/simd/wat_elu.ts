/**
 * The ELU family's SIMD kernels (ELU-alpha and CELU through the scaled ELU, PELU).
 */
import { addToSum, counted, elementSumLocals, exported, f64, flushSum, ifPositive, MATH, N, ONE, ptrs, scalars, splatScalars, totalF64 } from './wat_function.js';
import { elementLoop, expm1Into, f32x4, get, LOOP_LOCALS } from './wat_math.js';

/**
 * scaled_elu(x, y, n, alpha, inv): y = x for x > 0, alpha expm1(x inv) otherwise (NaN stays NaN).
 * scaled_elu_grad(dy, y, dx, n, alpha, inv): dx = dy for y > 0 (i.e. x > 0, alpha > 0), dy (y + alpha)
 * inv otherwise.
 */
const ALPHA_INV = splatScalars('alpha', 'inv');
const A_INV = splatScalars('a', 'inv');

export const scaledElu = [
  exported(
    'scaled_elu',
    [...ptrs('x', 'y'), N, ...ALPHA_INV.params],
    `${LOOP_LOCALS} ${MATH} ${ALPHA_INV.locals}`,
    `${ALPHA_INV.init}
${elementLoop(({ load, store }) =>
  [
    `(local.set $v ${load('x')})`,
    // Positive lanes give an unspecified expm1 (even NaN), which the select below discards.
    `(local.set $z (f32x4.mul ${get('v')} ${get('vInv')}))`,
    expm1Into('w', 'z'),
    store('y', ifPositive(get('v'), get('v'), `(f32x4.mul ${get('vAlpha')} ${get('w')})`)),
  ].join('\n'),
)}`,
  ),
  exported(
    'scaled_elu_grad',
    [...ptrs('dy', 'y', 'dx'), N, ...ALPHA_INV.params],
    `${LOOP_LOCALS} ${MATH} ${ALPHA_INV.locals}`,
    `${ALPHA_INV.init}
${elementLoop(({ load, store }) =>
  [
    `(local.set $w ${load('y')})`,
    store('dx', `(f32x4.mul ${load('dy')} ${ifPositive(get('w'), ONE, `(f32x4.mul (f32x4.add ${get('w')} ${get('vAlpha')}) ${get('vInv')})`)})`),
  ].join('\n'),
)}`,
  ),
];

/**
 * PELU with bounded a, b given as a and inv = 1 / b:
 * pelu(x, y, n, a, inv): z = x inv; y = a z for z > 0, a expm1(z) otherwise.
 * pelu_grad(dy, x, y, dx, da, db, n, a, inv, scaleB): e = y / a, gz = dy for x > 0 and
 * dy (e + 1) otherwise; dx = gz a inv; da[0] = sum dy e and db[0] = scaleB sum gz x (scaleB =
 * -a / b^2, in float64), each sum float32 within blocks and float64 over them (elementLoop), the
 * results rounded once to float32.
 */
export const pelu = [
  exported(
    'pelu',
    [...ptrs('x', 'y'), N, ...A_INV.params],
    `${LOOP_LOCALS} ${MATH} ${A_INV.locals}`,
    `${A_INV.init}
${elementLoop(({ load, store }) =>
  [
    `(local.set $z (f32x4.mul ${load('x')} ${get('vInv')}))`,
    expm1Into('w', 'z'), // positive lanes: discarded below
    store('y', `(f32x4.mul ${get('vA')} ${ifPositive(get('z'), get('z'), get('w'))})`),
  ].join('\n'),
)}`,
  ),
  exported(
    'pelu_grad',
    [...ptrs('dy', 'x', 'y', 'dx', 'da', 'db'), N, ...scalars('a', 'inv'), ...f64('scaleB')],
    `${LOOP_LOCALS} ${MATH} (local $vInvA v128) (local $vScale v128) ${elementSumLocals(['sumA', 'sumB'])}`,
    `(local.set $vInvA (f32x4.splat (f32.div (f32.const 1) ${get('a')})))
(local.set $vScale (f32x4.splat (f32.mul ${get('a')} ${get('inv')})))
${elementLoop(
  ({ load, store, lanes }) =>
    [
      `(local.set $v ${load('x')})`,
      `(local.set $g ${load('dy')})`,
      // e = y / a >= -1; y (1 / a) can round below -1 when 1 / a is subnormal (a > 2^126).
      `(local.set $w (f32x4.pmax (f32x4.mul ${load('y')} ${get('vInvA')}) ${f32x4(-1)}))`,
      `(local.set $z (f32x4.mul ${get('g')} ${ifPositive(get('v'), ONE, `(f32x4.add ${get('w')} ${ONE})`)}))`,
      store('dx', `(f32x4.mul ${get('z')} ${get('vScale')})`),
      addToSum('sumA', counted(`(f32x4.mul ${get('g')} ${get('w')})`, lanes)),
      addToSum('sumB', counted(`(f32x4.mul ${get('z')} ${get('v')})`, lanes)),
    ].join('\n'),
  `${flushSum('sumA')}\n${flushSum('sumB')}`,
)}
(f32.store (local.get $da) (f32.demote_f64 ${totalF64('sumA')}))
(f32.store (local.get $db) (f32.demote_f64 (f64.mul ${get('scaleB')} ${totalF64('sumB')})))`,
  ),
];
