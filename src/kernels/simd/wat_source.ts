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
 * Kernel families, one file each: wat_elu.ts, wat_sigmoid.ts, wat_maxout.ts, wat_snake.ts,
 * wat_pau.ts, wat_rrelu.ts; shared pieces in wat_function.ts and wat_math.ts.
 */
import { aconC, sigmoidSum, swishBeta } from './wat_sigmoid.js';
import { exported, MATH, N, ptrs } from './wat_function.js';
import { elementLoop, expInto, expm1Into, get, LOOP_LOCALS, sigmoidInto } from './wat_math.js';
import { maxout } from './wat_maxout.js';
import { pau } from './wat_pau.js';
import { rreluTrain } from './wat_rrelu.js';
import { pelu, scaledElu } from './wat_elu.js';
import { snake } from './wat_snake.js';

/** out[i] = f(in[i]) for one of the math snippets: for testing them against float64. */
function mathTest(name: string, snippet: (out: string, v: string) => string): string {
  return exported(
    name,
    [...ptrs('x', 'y'), N],
    `${LOOP_LOCALS} ${MATH}`,
    elementLoop(({ load, store }) => [`(local.set $v ${load('x')})`, snippet('w', 'v'), store('y', get('w'))].join('\n')),
  );
}

export function simdModuleText(): string {
  return `(module
(import "env" "memory" (memory 0))
${mathTest('test_expm1', expm1Into)}
${mathTest('test_exp', expInto)}
${mathTest('test_sigmoid', sigmoidInto)}
${[...scaledElu, ...pelu, ...swishBeta, ...aconC, ...sigmoidSum, ...rreluTrain, ...maxout, ...snake, ...pau].join('\n')}
)`;
}
