/**
 * RReLU's SIMD kernels in training (random slopes drawn in the kernel).
 */
import { exported, f64, ifPositive, MATH, N, ONE, ptrs } from './wat_function.js';
import { elementLoop, get, highToLow, LOOP_LOCALS, lowHalves } from './wat_math.js';

const MULBERRY = 0x6d2b79f5;

/**
 * RReLU in training: rrelu_train(x, y, slopes, n, seed, lower, width): draw k (k = 0..n-1) is
 * mulberry32 from `seed` (the same numbers as src/experiment/shuffle.ts' mulberry32: its state
 * after k + 1 steps is seed + (k + 1) 0x6D2B79F5, so four draws are computed at once), a = lower +
 * width u in float64, slope = float32(1 / a); y = x for x > 0, x slope otherwise.
 * rrelu_train_grad(dy, x, slopes, dx, n): dx = dy for x > 0, dy slope otherwise.
 */
export const rreluTrain = [
  exported(
    'rrelu_train',
    [...ptrs('x', 'y', 'slopes'), N, { name: 'seed', type: 'i32' }, ...f64('lower', 'width')],
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
    `(local.set $hi ${slopePair(highToLow(get('t')))})`,
    `(local.set $s ${lowHalves(get('lo'), get('hi'))})`,
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

