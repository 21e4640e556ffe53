/**
 * PAU's SIMD kernels for the default degrees, in float64.
 */
import { exported, ptrs, f64, N } from './wat_function.js';
import { demote2, elementLoop, f64x2, get, LOOP_LOCALS, promote, v128Locals } from './wat_math.js';

const PAU_A = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
const PAU_B = ['b1', 'b2', 'b3', 'b4'];
const SUMS_A = PAU_A.map((c) => `s${c}`);
const SUMS_B = PAU_B.map((c) => `s${c}`);

/** c_k + t (c_{k+1} + ...) in float64 for the coefficient parameters `names` (lowest first). */
function horner64(names: string[], t: string): string {
  let acc = `(f64x2.splat ${get(names[names.length - 1])})`;
  for (let k = names.length - 2; k >= 0; k--) acc = `(f64x2.add (f64x2.mul ${acc} ${t}) (f64x2.splat ${get(names[k])}))`;
  return acc;
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
export const pau = [
  exported(
    'pau54',
    [...ptrs('x', 'y'), N, ...f64(...PAU_A, ...PAU_B)],
    `${LOOP_LOCALS} ${v128Locals(['v', 'lo', 'hi', 't', 'z'])}`,
    elementLoop(({ load, store, lanes }) => {
      const half = (high: boolean): string => {
        const v = promote(get('v'), high);
        return `(local.set $t ${v})
(local.set $z (f64x2.abs ${get('t')}))
(local.set $${high ? 'hi' : 'lo'} (f64x2.div ${horner64(PAU_A, get('t'))} (f64x2.add ${f64x2(1)} (f64x2.mul ${get('z')} ${horner64(PAU_B, get('z'))}))))`;
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
          `(local.set $q (f64x2.add ${f64x2(1)} (f64x2.mul ${get('z')} ${get('r')})))`,
          // dQ/dx = (R + |x| R') sign(x), sign = 1 for x > 0, else -1 (also at 0 and NaN).
          `(local.set $dr (f64x2.mul (f64x2.add ${get('r')} (f64x2.mul ${get('z')} ${get('dr')})) (v128.bitselect ${f64x2(1)} ${f64x2(-1)} (f64x2.gt ${get('t')} ${f64x2(0)}))))`,
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

