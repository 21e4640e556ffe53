/**
 * Maxout's SIMD kernels (groups of two).
 */
import { exported, ptrs, N, ONE } from './wat_function.js';
import { countedLoop, get } from './wat_math.js';

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
${countedLoop('4', 'i', get('end4'), '(i32.const 16)', vector)}
${countedLoop('1', 'i', get('end'), '(i32.const 4)', scalar)}`;
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
export const maxout = [
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
