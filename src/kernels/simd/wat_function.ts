/**
 * Shared pieces of the SIMD kernels' WebAssembly text: exported functions and their parameters,
 * the locals the math snippets need, lane selects and float64 sums over lanes.
 */
import { f32x4, get, MATH_LOCALS, promote, SIN_LOCALS, v128Locals } from './wat_math.js';

export interface Param {
  name: string;
  type: 'i32' | 'f32' | 'f64';
}

/** A function exported under `name`, with `params`, extra `locals` (declarations) and `body`. */
export function exported(name: string, params: Param[], locals: string, body: string): string {
  const ps = params.map((p) => `(param $${p.name} ${p.type})`).join(' ');
  return `(func (export "${name}") ${ps} ${locals}\n${body})`;
}

/** i32 parameters (byte offsets) named `names`. */
export const ptrs = (...names: string[]): Param[] => names.map((name) => ({ name, type: 'i32' as const }));
/** f32 parameters named `names`. */
export const scalars = (...names: string[]): Param[] => names.map((name) => ({ name, type: 'f32' as const }));
/** The local that {@link splatScalars} copies the scalar `name` into: alpha -> vAlpha. */
export function splatName(name: string): string {
  return `v${name[0].toUpperCase()}${name.slice(1)}`;
}

/**
 * f32 parameters `names`, each copied into all four lanes of a v128 local ({@link splatName}) at
 * the start of the function: `params` for the parameter list, `locals` for the declarations,
 * `init` to put first in the body.
 */
export function splatScalars(...names: string[]): { params: Param[]; locals: string; init: string } {
  return {
    params: scalars(...names),
    locals: v128Locals(names.map(splatName)),
    init: names.map((n) => `(local.set $${splatName(n)} (f32x4.splat ${get(n)}))`).join('\n'),
  };
}

/** The element count parameter. */
export const N: Param = { name: 'n', type: 'i32' };
/** The units of a row (the last axis), for per-unit parameters. */
export const UNITS: Param = { name: 'units', type: 'i32' };
/** Declarations of the math snippets' temporaries and the kernels' usual v128 locals. */
export const MATH = v128Locals([...MATH_LOCALS, ...SIN_LOCALS, 'v', 'w', 'z', 'g', 's', 'q']);
/** 1 and 0 in all four float32 lanes. */
export const ONE = f32x4(1);
export const ZERO = f32x4(0);

/** Lane-wise `a > 0 ? yes : no` (NaN takes `no`). */
export function ifPositive(a: string, yes: string, no: string): string {
  return `(v128.bitselect ${yes} ${no} (f32x4.gt ${a} ${ZERO}))`;
}

/** value, with lanes 1-3 zeroed in the one-element copy of a loop body (for sums over lanes). */
export function counted(value: string, lanes: 4 | 1): string {
  return lanes === 4 ? value : `(v128.and ${value} (v128.const i32x4 -1 0 0 0))`;
}

/** Float64 parameters named `names`. */
export const f64 = (...names: string[]): Param[] => names.map((name) => ({ name, type: 'f64' as const }));

/**
 * Whole-tensor sums, moved into float64 by the `flush` argument of wat_math.ts elementLoop: each
 * name is a float32 four-lane partial sum (`name`) and a pair of float64 totals (`name`0,
 * `name`1). Declarations of their locals. (A partial sum holds 32 terms per lane: terms whose
 * sum passes float32's maximum within a block give an infinite total, where float64 throughout
 * would not; that takes |dy x| near 1e37.)
 */
export function elementSumLocals(names: readonly string[]): string {
  return names.map((n) => `(local $${n} v128) (local $${n}0 v128) (local $${n}1 v128)`).join(' ');
}

/** Adds the lanes of `value` to the float32 partial sum `name` (see {@link elementSumLocals}). */
export function addToSum(name: string, value: string): string {
  return `(local.set $${name} (f32x4.add ${get(name)} ${value}))`;
}

/** Adds the float32 partial sum `name` into its float64 totals and zeroes it. */
export function flushSum(name: string): string {
  return [
    `(local.set $${name}0 (f64x2.add ${get(`${name}0`)} ${promote(get(name), false)}))`,
    `(local.set $${name}1 (f64x2.add ${get(`${name}1`)} ${promote(get(name), true)}))`,
    `(local.set $${name} ${ZERO})`,
  ].join('\n');
}

/** The float64 total of the sum `name` (after its last {@link flushSum}). */
export function totalF64(name: string): string {
  const sum = `(f64x2.add ${get(`${name}0`)} ${get(`${name}1`)})`;
  return `(f64.add (f64x2.extract_lane 0 ${sum}) (f64x2.extract_lane 1 ${sum}))`;
}
