/**
 * Snake's SIMD kernels, and a test export of the sine.
 */
import { exported, ptrs, N, UNITS, MATH, ONE } from './wat_function.js';
import { addToUnitSums, elementLoop, get, LOOP_LOCALS, ROW_LOOP_LOCALS, rowLoop, sinProductInto } from './wat_math.js';

/**
 * Snake, per-unit a (already guarded away from 0 by the caller) and inv = 1 / a:
 * snake(x, a, inv, y, sin, n, units): s = sin(a x), sin = s, y = x + s^2 inv.
 * snake_grad(dy, x, sin, a, inv, dx, sums, sums64, n, units): s2 = sin(2 a x), dx = dy (1 + s2),
 * sums[unit] += dy (x s2 - s^2 inv) (float32 partial sums and float64 totals, see rowLoop; zeroed
 * by the caller; da = sums inv).
 */
export const snake = [
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
    [...ptrs('dy', 'x', 'sin', 'a', 'inv', 'dx', 'sums', 'sums64'), N, UNITS],
    `${ROW_LOOP_LOCALS} ${MATH} (local $va v128)`,
    rowLoop((el, unit) =>
      [
        `(local.set $v ${el.load('x')})`,
        `(local.set $va ${unit.load('a')})`,
        `(local.set $g ${el.load('dy')})`,
        `(local.set $s ${el.load('sin')})`,
        sinProductInto('w', 'v', 'va', 2),
        el.store('dx', `(f32x4.mul ${get('g')} (f32x4.add ${ONE} ${get('w')}))`),
        addToUnitSums(
          unit,
          'sums',
          `(f32x4.mul ${get('g')} (f32x4.sub (f32x4.mul ${get('v')} ${get('w')}) (f32x4.mul (f32x4.mul ${get('s')} ${get('s')}) ${unit.load('inv')})))`,
        ),
      ].join('\n'),
      ['sums'],
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
