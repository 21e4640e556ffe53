/**
 * Building blocks of the WebAssembly text (WAT) of the SIMD kernels (see wat_source.ts): f32x4
 * constants, the loop over a tensor four floats at a time, and exp, expm1 and the logistic
 * sigmoid on four lanes.
 *
 * They are text generators, not wasm functions, so that every kernel gets them inlined (a call per
 * four elements would cost as much as the arithmetic). Each snippet reads and writes the locals
 * named in {@link MATH_LOCALS}, which every kernel using them declares.
 *
 * The functions, for float32 lanes (all NaN-propagating):
 * - expm1(v) for v <= 0 and exp(v) for v <= 0: range reduction v = n ln2 + r with |r| <= ln2 / 2
 *   (Cody-Waite, ln2 split in two floats), expm1(r) by a polynomial of degree 6
 *   ({@link EXPM1_COEFFS}), 2^n built in the exponent bits, and
 *   expm1(v) = 2^n expm1(r) + (2^n - 1), exp(v) = 2^n expm1(r) + 2^n. Arguments below -87.33 are
 *   clamped there (n >= -126, no subnormal scale): expm1 is then -1 as in float32, exp is set to 0.
 * - sigmoid(t) = 1 / (1 + exp(-t)) from e = exp(-|t|) (never overflows): 1 / (1 + e) for t >= 0,
 *   e / (1 + e) for t < 0, so sigmoid(-Infinity) = 0 and sigmoid(Infinity) = 1 exactly.
 * Their accuracy against float64 is tested in test/kernels/simd/math.test.ts.
 */

/** A float32 literal of WAT that names `value` exactly (after rounding it to float32). */
export function f32(value: number): string {
  const v = Math.fround(value);
  if (!Number.isFinite(v)) throw new Error(`f32: ${value} is not a finite float32`);
  // 9 significant digits identify every float32.
  return Object.is(v, -0) ? '-0' : v.toPrecision(9);
}

/** `value` in all four float32 lanes. */
export function f32x4(value: number): string {
  const c = f32(value);
  return `(v128.const f32x4 ${c} ${c} ${c} ${c})`;
}

/** `local.get` of `name` (without its `$`). */
export function get(name: string): string {
  return `(local.get $${name})`;
}

/** The v128 temporaries the math snippets use; a kernel using them declares all of them. */
export const MATH_LOCALS = ['mN', 'mR', 'mP', 'mS', 'mE', 'mD'] as const;

/** Declarations of `names` as v128 locals. */
export function v128Locals(names: readonly string[]): string {
  return names.map((n) => `(local $${n} v128)`).join(' ');
}

const LOG2E = Math.LOG2E;
// ln 2 = LN2_HI + LN2_LO with LN2_HI exact in 15 bits, so that n * LN2_HI is exact for |n| < 256.
const LN2_HI = 0.693145751953125;
const LN2_LO = Math.LN2 - LN2_HI;
/** Smallest argument whose 2^n scale is a normal float32 (n = -126). */
export const EXP_MIN_ARG = -87.33;
// 1.5 * 2^23 + 127: adding it to v log2(e) rounds to an integer n and leaves n + 127 (the biased
// float32 exponent of 2^n) in the low mantissa bits, so a shift by 23 gives 2^n directly.
const MAGIC = 12582912 + 127;

/**
 * expm1(r) ~ r + r^2 (c2 + c3 r + ... + c6 r^4) on |r| <= ln(2) / 2: near-minimax coefficients of
 * the relative error (Lawson's iteration in float64 on 20,000 points: 1.5e-8; below 1e-7 with
 * float32 arithmetic, i.e. within one float32 rounding).
 */
export const EXPM1_COEFFS = [0.5, 0.16666536033153534, 0.0416669026017189, 0.00836733914911747, 0.0013901886995881796];

/** Sets mP = expm1(r) and mS = 2^n, where v = n ln2 + r, for `v` (an expression, v <= 0 assumed). */
function expParts(v: string): string {
  // Estrin's scheme, (c2 + c3 r) + r^2 ((c4 + c5 r) + r^2 c6): half of Horner's chain of dependent
  // operations, same accuracy. Raw ELU kernel 1.02-1.07x of XNNPACK's Elu against 1.09-1.22x with
  // Horner (bench/simd_kernels.ts, three runs of each, 2026-11-30); sigmoids within the noise.
  const [c2, c3, c4, c5, c6] = EXPM1_COEFFS.map(f32x4);
  const r = get('mR');
  const r2 = `(f32x4.mul ${r} ${r})`;
  const poly = `(f32x4.add (f32x4.add ${c2} (f32x4.mul ${r} ${c3})) (f32x4.mul ${r2} (f32x4.add (f32x4.add ${c4} (f32x4.mul ${r} ${c5})) (f32x4.mul ${r2} ${c6}))))`;
  return [
    // pmax(v, c) = v < c ? c : v: one instruction (max's NaN rules cost several); NaN stays NaN.
    `(local.set $mR (f32x4.pmax ${v} ${f32x4(EXP_MIN_ARG)}))`,
    `(local.set $mS (f32x4.add (f32x4.mul ${get('mR')} ${f32x4(LOG2E)}) ${f32x4(MAGIC)}))`,
    `(local.set $mN (f32x4.sub ${get('mS')} ${f32x4(MAGIC)}))`,
    `(local.set $mR (f32x4.sub (f32x4.sub ${get('mR')} (f32x4.mul ${get('mN')} ${f32x4(LN2_HI)})) (f32x4.mul ${get('mN')} ${f32x4(LN2_LO)})))`,
    `(local.set $mP (f32x4.add ${get('mR')} (f32x4.mul (f32x4.mul ${get('mR')} ${get('mR')}) ${poly})))`,
    `(local.set $mS (i32x4.shl ${get('mS')} (i32.const 23)))`,
  ].join('\n');
}

/**
 * Sets local `out` to expm1(v) for the local `v` (lanes <= 0 or NaN; others unspecified).
 * expm1(-0) gives +0 (Math.expm1 gives -0; tfjs' wasm Elu also gives elu(-0) = +0): keeping the
 * sign costs 9-14% of the ELU kernels' time (measured), for a sign no later op can see except 1/x.
 */
export function expm1Into(out: string, v: string): string {
  return [
    expParts(get(v)),
    `(local.set $${out} (f32x4.add (f32x4.mul ${get('mS')} ${get('mP')}) (f32x4.sub ${get('mS')} ${f32x4(1)})))`,
  ].join('\n');
}

/** Sets local `out` to exp(v) for the local `v` (lanes <= 0 or NaN; below -87.33 gives 0). */
export function expInto(out: string, v: string): string {
  return [
    expParts(get(v)),
    `(local.set $${out} (v128.andnot (f32x4.add (f32x4.mul ${get('mS')} ${get('mP')}) ${get('mS')}) (f32x4.lt ${get(v)} ${f32x4(EXP_MIN_ARG)})))`,
  ].join('\n');
}

/**
 * Sets local `out` to sigmoid(t) = 1 / (1 + exp(-t)) for the local `t`. Uses mE and mD, which
 * {@link SIGMOID_SLOPE} reads afterwards.
 */
export function sigmoidInto(out: string, t: string): string {
  return [
    `(local.set $mE (f32x4.neg (f32x4.abs ${get(t)})))`,
    expInto('mE', 'mE'),
    `(local.set $mD (f32x4.div ${f32x4(1)} (f32x4.add ${f32x4(1)} ${get('mE')})))`,
    // t >= 0: 1 / (1 + e); t < 0 (and NaN, where both are NaN): e / (1 + e).
    `(local.set $${out} (v128.bitselect ${get('mD')} (f32x4.mul ${get('mE')} ${get('mD')}) (f32x4.ge ${get(t)} ${f32x4(0)})))`,
  ].join('\n');
}

/** How a loop body reads and writes memory: WAT for the current element(s) of a pointer local. */
export interface LoopAccess {
  /** A load of the current element(s) of the float32 array at pointer local `ptr`. */
  load(ptr: string): string;
  /** A store of `value` to the current element(s) of the array at `ptr`. */
  store(ptr: string, value: string): string;
  /** 4 in the vector copies of the body, 1 in the one-element copy (only lane 0 counts). */
  lanes: 4 | 1;
}

function access(address: (ptr: string) => string, lanes: 4 | 1, offset = 0): LoopAccess {
  return lanes === 4
    ? {
        load: (ptr) => `(v128.load offset=${offset} align=4 ${address(ptr)})`,
        store: (ptr, value) => `(v128.store offset=${offset} align=4 ${address(ptr)} ${value})`,
        lanes,
      }
    : {
        load: (ptr) => `(v128.load32_zero align=4 ${address(ptr)})`,
        store: (ptr, value) => `(v128.store32_lane align=4 0 ${address(ptr)} ${value})`,
        lanes,
      };
}

// Near-minimax coefficients on |r| <= pi/4 (Lawson's iteration in float64, like EXPM1_COEFFS):
// sin r = r + r^3 (s1 + s2 r^2 + s3 r^4), relative error 3.8e-9; cos r = 1 - r^2 / 2 + r^4 (c2 +
// c3 r^2 + c4 r^4), 1.2e-10. Both within one float32 rounding in float32 arithmetic.
export const SIN_COEFFS = [-0.16666655242443085, 0.00833216030150652, -0.0001951528392964974];
export const COS_COEFFS = [0.04166664555668831, -0.0013887316454201937, 2.4433154976577498e-5];
// pi/2 = PIO2_HI + PIO2_LO, PIO2_HI with 33 significant bits: n PIO2_HI is exact for |n| < 2^20.
const PIO2_HI = 1.5707963267341256;
const PIO2_LO = 6.077094383272197e-11;
const MAGIC64 = 1.5 * 2 ** 52;

/** The v128 temporaries of {@link sinProductInto}. */
export const SIN_LOCALS = ['tLo', 'tHi', 'nLo', 'nHi', 'sR', 'sZ', 'sQ'] as const;

/** `v` (a local or a constant: it is written twice) with its high two 32-bit lanes moved to the low two. */
export function highToLow(v: string): string {
  return `(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${v} ${v})`;
}

/** Lanes 0-1 of `a` then lanes 0-1 of `b`, as one vector. */
export function lowHalves(a: string, b: string): string {
  return `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 ${a} ${b})`;
}

/** The float64 values of float32 lanes 0-1 of `v`, or of lanes 2-3 when `high`. */
export function promote(v: string, high: boolean): string {
  return `(f64x2.promote_low_f32x4 ${high ? highToLow(v) : v})`;
}

/** Two float64 pairs as one float32 vector, each rounded to float32 as a Float32Array store does. */
export function demote2(lo: string, hi: string): string {
  return lowHalves(`(f32x4.demote_f64x2_zero ${lo})`, `(f32x4.demote_f64x2_zero ${hi})`);
}

/** `value` in both float64 lanes (WAT prints every float64 exactly). */
export function f64x2(value: number): string {
  return `(v128.const f64x2 ${value} ${value})`;
}

/**
 * Sets local `out` to sin(k a x) for the float32 locals `x` and `a` and k = 1 or 2. The argument
 * t = k a x is formed and reduced in float64 (t - n pi/2 with n = round(2 t / pi), two-part pi/2:
 * exact in n pi/2 for |t| up to about 1.6e6, then losing accuracy with |t| (errors of 2e-7 at
 * 2e9, 1e-6 at 1e10); the quadrant n mod 4, from the low bits of n + 1.5 * 2^52, is right up to
 * 2^51, past which r is clamped: the result is then some value in [-1, 1], never NaN or
 * infinite), as the JavaScript loops
 * pass the float64 product to Math.sin; r = t - n pi/2 then goes to float32, and the quadrant n
 * mod 4 picks sin r, cos r and the sign. NaN or infinite t gives NaN.
 */
export function sinProductInto(out: string, x: string, a: string, k: 1 | 2): string {
  const half = (t: string, n: string, high: boolean): string[] => {
    const product = `(f64x2.mul ${promote(get(x), high)} ${promote(get(a), high)})`;
    return [
      `(local.set $${t} ${k === 1 ? product : `(f64x2.mul ${product} ${f64x2(2)})`})`,
      // n + 1.5 * 2^52 rounds 2t/pi to an integer and holds it in the low 32 bits (quadrant below).
      `(local.set $${n} (f64x2.add (f64x2.mul ${get(t)} ${f64x2(2 / Math.PI)}) ${f64x2(MAGIC64)}))`,
      `(local.set $${t} (f64x2.sub ${get(t)} (f64x2.mul (f64x2.sub ${get(n)} ${f64x2(MAGIC64)}) ${f64x2(PIO2_HI)})))`,
      `(local.set $${t} (f64x2.sub ${get(t)} (f64x2.mul (f64x2.sub ${get(n)} ${f64x2(MAGIC64)}) ${f64x2(PIO2_LO)})))`,
    ];
  };
  let sinPoly = f32x4(SIN_COEFFS[2]);
  for (const c of [SIN_COEFFS[1], SIN_COEFFS[0]]) sinPoly = `(f32x4.add ${f32x4(c)} (f32x4.mul ${get('sZ')} ${sinPoly}))`;
  let cosPoly = f32x4(COS_COEFFS[2]);
  for (const c of [COS_COEFFS[1], COS_COEFFS[0]]) cosPoly = `(f32x4.add ${f32x4(c)} (f32x4.mul ${get('sZ')} ${cosPoly}))`;
  const sin = `(f32x4.add ${get('sR')} (f32x4.mul (f32x4.mul ${get('sR')} ${get('sZ')}) ${sinPoly}))`;
  const cos = `(f32x4.add (f32x4.sub ${f32x4(1)} (f32x4.mul ${get('sZ')} ${f32x4(0.5)})) (f32x4.mul (f32x4.mul ${get('sZ')} ${get('sZ')}) ${cosPoly}))`;
  return [
    ...half('tLo', 'nLo', false),
    ...half('tHi', 'nHi', true),
    // Clamped to [-pi/4, pi/4] (float32 pi/4 lies above pi/4, so no reduced value changes): past
    // |t| = 2^51 the rounding of n fails and r would be huge; sin then stays within [-1, 1].
    `(local.set $sR (f32x4.pmax (f32x4.pmin ${demote2(get('tLo'), get('tHi'))} ${f32x4(Math.PI / 4)}) ${f32x4(-Math.PI / 4)}))`,
    `(local.set $sQ (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 ${get('nLo')} ${get('nHi')}))`,
    `(local.set $sZ (f32x4.mul ${get('sR')} ${get('sR')}))`,
    // Odd quadrants take cos r; quadrants 2 and 3 flip the sign (bit 1 of n moved to the sign bit).
    `(local.set $${out} (v128.xor (v128.bitselect ${cos} ${sin} (i32x4.eq (v128.and ${get('sQ')} (v128.const i32x4 1 1 1 1)) (v128.const i32x4 1 1 1 1))) (i32x4.shl (v128.and ${get('sQ')} (v128.const i32x4 2 2 2 2)) (i32.const 30))))`,
  ].join('\n');
}

/**
 * sigmoid'(t) = s (1 - s) = e / (1 + e)^2 with e = exp(-|t|), right after {@link sigmoidInto}
 * (from its mE and mD): no cancellation where s is near 1, where s - s^2 in float32 loses every
 * digit (sigmoid'(20) = 2.1e-9 would come out 0).
 */
export const SIGMOID_SLOPE = `(f32x4.mul (f32x4.mul ${get('mE')} ${get('mD')}) ${get('mD')})`;

/**
 * `body` while the i32 local `index` is below `end` (unsigned), adding `step` to `index` after
 * each pass: the skeleton of every loop here. `label` names the loop's block and loop uniquely
 * within the function it is in.
 */
export function countedLoop(label: string, index: string, end: string, step: string, body: string): string {
  return `(block $done${label} (loop $next${label}
  (br_if $done${label} (i32.ge_u ${get(index)} ${end}))
  ${body}
  (local.set $${index} (i32.add ${get(index)} ${step}))
  (br $next${label})))`;
}

/**
 * A loop over elements 0..n-1 of float32 arrays: `body` runs on eight elements per iteration (two
 * four-lane copies, which the CPU overlaps), then on four, then on each remaining element alone
 * (lanes 1-3 zero then, their results discarded). The index local is `i` (bytes), the count `n`
 * (elements); declare {@link LOOP_LOCALS}.
 *
 * `flush`, when given, runs after every {@link SUM_BLOCK_ROWS} / 2 eight-element iterations (each
 * lane of a float32 partial sum then holds SUM_BLOCK_ROWS terms, as in {@link rowLoop}) and once
 * after the loop: it moves float32 partial sums into float64 totals (wat_function.ts flushSum).
 */
export function elementLoop(body: (a: LoopAccess) => string, flush = ''): string {
  const at = (ptr: string): string => `(i32.add ${get(ptr)} ${get('i')})`;
  const everyBlock =
    flush === ''
      ? ''
      : `
(local.set $block (i32.add ${get('block')} (i32.const 1)))
(if (i32.eq ${get('block')} (i32.const ${SUM_BLOCK_ROWS / 2})) (then
  ${flush}
  (local.set $block (i32.const 0))))`;
  return `
(local.set $i (i32.const 0))
(local.set $block (i32.const 0))
(local.set $end (i32.shl ${get('n')} (i32.const 2)))
(local.set $end8 (i32.and ${get('end')} (i32.const -32)))
${countedLoop('8', 'i', get('end8'), '(i32.const 32)', `${body(access(at, 4, 0))}\n${body(access(at, 4, 16))}${everyBlock}`)}
(if (i32.ge_u (i32.sub ${get('end')} ${get('i')}) (i32.const 16)) (then
  ${body(access(at, 4))}
  (local.set $i (i32.add ${get('i')} (i32.const 16)))))
${countedLoop('1', 'i', get('end'), '(i32.const 4)', body(access(at, 1)))}
${flush}`;
}

/** The i32 locals {@link elementLoop} uses (besides the parameter `n`). */
export const LOOP_LOCALS = '(local $i i32) (local $end8 i32) (local $end i32) (local $block i32)';

/** Rows whose per-unit terms are summed in float32 before the sums go into the float64 totals. */
export const SUM_BLOCK_ROWS = 32;

/**
 * A loop over a [n / units, units] float32 tensor row by row, and within a row over its units
 * four at a time, then one at a time. `body(element, unit)` gets the access to the current
 * elements (arrays of n values) and to the current units' entries of per-unit arrays (units
 * values: parameters, per-unit sums). Locals: {@link ROW_LOOP_LOCALS}; parameters `n`, `units`.
 *
 * `sums` names per-unit sums the body adds to with {@link addToUnitSums}: each is a pair of
 * pointer parameters, `name` (units float32 partial sums) and `name`64 (units float64 totals), both
 * zeroed by the caller. Every {@link SUM_BLOCK_ROWS} rows, and after the last row, the partial
 * sums are added into the totals and reset: float64 accuracy over any number of rows (as the
 * JavaScript loops' float64 sums), at the cost of float32 additions per element.
 */
export function rowLoop(body: (element: LoopAccess, unit: LoopAccess) => string, sums: readonly string[] = []): string {
  const atElement = (ptr: string): string => `(i32.add ${get(ptr)} (i32.add ${get('i')} ${get('j')}))`;
  const atUnit = (ptr: string): string => `(i32.add ${get(ptr)} ${get('j')})`;
  const flush = sums.length === 0 ? '' : flushUnitSums(sums);
  // After each row: count it, and flush the partial sums every SUM_BLOCK_ROWS rows; after the
  // last row, flush what is left.
  const afterRow =
    flush === ''
      ? ''
      : `(local.set $rows (i32.add ${get('rows')} (i32.const 1)))
(if (i32.eq ${get('rows')} (i32.const ${SUM_BLOCK_ROWS})) (then
  ${flush}
  (local.set $rows (i32.const 0))))`;
  const afterLoop = flush === '' ? '' : `(if (i32.ne ${get('rows')} (i32.const 0)) (then\n${flush}))`;
  const row = `(local.set $j (i32.const 0))
${unitLoop(body(access(atElement, 4), access(atUnit, 4)), body(access(atElement, 1), access(atUnit, 1)))}
${afterRow}`;
  return `
(local.set $i (i32.const 0))
(local.set $rows (i32.const 0))
(local.set $end (i32.shl ${get('n')} (i32.const 2)))
(local.set $rowBytes (i32.shl ${get('units')} (i32.const 2)))
(local.set $row4 (i32.and ${get('rowBytes')} (i32.const -16)))
${countedLoop('Rows', 'i', get('end'), get('rowBytes'), row)}
${afterLoop}`;
}

/** Adds the float32 partial sums `name` into the float64 totals `name`64 and zeroes them (all units). */
function flushUnitSums(sums: readonly string[]): string {
  const at = (ptr: string): string => `(i32.add ${get(ptr)} ${get('j')})`;
  const at64 = (ptr: string): string => `(i32.add ${get(`${ptr}64`)} (i32.shl ${get('j')} (i32.const 1)))`;
  const vector = sums
    .map((name) =>
      [
        `(local.set $acc (v128.load align=4 ${at(name)}))`,
        `(v128.store align=8 ${at64(name)} (f64x2.add (v128.load align=8 ${at64(name)}) ${promote(get('acc'), false)}))`,
        `(v128.store offset=16 align=8 ${at64(name)} (f64x2.add (v128.load offset=16 align=8 ${at64(name)}) ${promote(get('acc'), true)}))`,
        `(v128.store align=4 ${at(name)} (v128.const i32x4 0 0 0 0))`,
      ].join('\n'),
    )
    .join('\n');
  const scalar = sums
    .map((name) =>
      [
        `(f64.store align=8 ${at64(name)} (f64.add (f64.load align=8 ${at64(name)}) (f64.promote_f32 (f32.load ${at(name)}))))`,
        `(f32.store ${at(name)} (f32.const 0))`,
      ].join('\n'),
    )
    .join('\n');
  return `(local.set $j (i32.const 0))
${unitLoop(vector, scalar, 'Flush')}`;
}

/** Over the units of a row from $j: `vector` four at a time (to $row4), then `scalar` one at a time. */
function unitLoop(vector: string, scalar: string, label = ''): string {
  return `${countedLoop(`${label}4`, 'j', get('row4'), '(i32.const 16)', vector)}
${countedLoop(`${label}1`, 'j', get('rowBytes'), '(i32.const 4)', scalar)}`;
}

/** The locals {@link rowLoop} and {@link addToUnitSums} use (besides the parameters `n` and `units`). */
export const ROW_LOOP_LOCALS =
  '(local $i i32) (local $j i32) (local $end i32) (local $rowBytes i32) (local $row4 i32) (local $rows i32) (local $acc v128)';

/**
 * In a {@link rowLoop} body: adds `value`'s lanes (4, or lane 0 in the one-element copy) to the
 * float32 partial sums `unit` accesses at pointer `ptr`, one of the loop's `sums`.
 */
export function addToUnitSums(unit: LoopAccess, ptr: string, value: string): string {
  return unit.store(ptr, `(f32x4.add ${unit.load(ptr)} ${value})`);
}
