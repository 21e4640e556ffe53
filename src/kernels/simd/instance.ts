/**
 * The library's SIMD kernels (module_bytes.ts, assembled from the wat_*.ts text generators)
 * instantiated on tfjs' wasm backend's memory, once per backend memory.
 *
 * Used when the runtime has WebAssembly SIMD (Node >= 16, current browsers) and the backend's
 * memory is not shared (tfjs' multi-threaded wasm build shares it; the module imports an unshared
 * one). Otherwise the layers take their previous path (a JavaScript loop, or tfjs ops for the
 * kernels marked `wasmNeedsSimd`), which computes the same function. Node compiles the module
 * synchronously on first use; a browser main thread, which refuses to compile modules over 4 KB
 * synchronously, compiles it in the background and uses that path until it is ready.
 */
import * as tf from '@tensorflow/tfjs';
import { SIMD_MODULE_BASE64 } from './module_bytes.js';

/**
 * The exported kernels (see wat_elu.ts, wat_sigmoid.ts, ... for what each computes; the test_*
 * functions exist for test/kernels/simd/math.test.ts): arguments are byte offsets of
 * float32 arrays on the backend's heap, element counts (`n`), the units of a row (`units`), then
 * scalars.
 */
export interface SimdKernels {
  test_exp(x: number, y: number, n: number): void;
  test_expm1(x: number, y: number, n: number): void;
  test_sigmoid(x: number, y: number, n: number): void;
  scaled_elu(x: number, y: number, n: number, alpha: number, inv: number): void;
  scaled_elu_grad(dy: number, y: number, dx: number, n: number, alpha: number, inv: number): void;
  pelu(x: number, y: number, n: number, a: number, inv: number): void;
  pelu_grad(dy: number, x: number, y: number, dx: number, da: number, db: number, n: number, a: number, inv: number, scaleB: number): void;
  swish_beta(x: number, beta: number, y: number, sig: number, n: number, units: number): void;
  swish_beta_grad(dy: number, x: number, sig: number, beta: number, dx: number, dbeta: number, dbeta64: number, n: number, units: number): void;
  acon_c(x: number, p1: number, p2: number, beta: number, y: number, sig: number, n: number, units: number): void;
  acon_c_grad(
    dy: number, x: number, sig: number, p1: number, p2: number, beta: number,
    dx: number, sumA: number, sumA64: number, sumD: number, sumD64: number, sumQ: number, sumQ64: number, n: number, units: number,
  ): void;
  sigmoid_sum_first(x: number, y: number, slope: number, n: number, shift: number, offset: number): void;
  sigmoid_sum_two(x: number, y: number, slope: number, n: number, shift0: number, shift1: number, offset: number): void;
  sigmoid_sum_add(x: number, y: number, slope: number, n: number, shift: number): void;
  multiply(a: number, b: number, out: number, n: number): void;
  rrelu_train(x: number, y: number, slopes: number, n: number, seed: number, lower: number, width: number): void;
  test_sin(x: number, y: number, n: number): void;
  snake(x: number, a: number, inv: number, y: number, sin: number, n: number, units: number): void;
  snake_grad(dy: number, x: number, sin: number, a: number, inv: number, dx: number, sums: number, sums64: number, n: number, units: number): void;
  pau54(x: number, y: number, n: number, ...coefficients: number[]): void;
  pau54_grad(dy: number, x: number, dx: number, sums: number, n: number, ...coefficients: number[]): void;
  maxout2(x: number, y: number, n: number): void;
  maxout2_grad(dy: number, x: number, dx: number, n: number): void;
  rrelu_train_grad(dy: number, x: number, slopes: number, dx: number, n: number): void;
}

/** Decodes the module's bytes (atob: Node >= 16 and browsers). */
export function simdModuleBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(SIMD_MODULE_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** undefined: not tried yet; null: not usable here (no SIMD) or still compiling. */
let compiled: WebAssembly.Module | null | undefined;
const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();
const pending = new WeakSet<WebAssembly.Memory>();
let enabled = true;

function compiledModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  const bytes = simdModuleBytes();
  compiled = null;
  if (!WebAssembly.validate(bytes)) return null; // no WebAssembly SIMD in this runtime
  try {
    compiled = new WebAssembly.Module(bytes);
  } catch {
    // A browser main thread: compile in the background, JavaScript loops meanwhile.
    void WebAssembly.compile(bytes).then((m) => (compiled = m), () => undefined);
  }
  return compiled;
}

/** The backend's WebAssembly.Memory (emscripten exports it as `asm.memory` or `wasmMemory`). */
function memoryOf(backend: unknown): WebAssembly.Memory | null {
  const wasm = (backend as { wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown } } | null)?.wasm;
  const memory = wasm?.asm?.memory ?? wasm?.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/**
 * The SIMD kernels working on `backend`'s memory (tfjs' wasm backend object, as a kernel
 * receives it), or null when they cannot be used (see the module comment) or are switched off.
 */
export function simdKernelsFor(backend: unknown): SimdKernels | null {
  if (!enabled) return null;
  const memory = memoryOf(backend);
  if (memory === null) return null;
  const known = instances.get(memory);
  if (known !== undefined) return known;
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return null;
  const module = compiledModule();
  if (module === null || pending.has(memory)) return null;
  const imports = { env: { memory } };
  try {
    const kernels = new WebAssembly.Instance(module, imports).exports as unknown as SimdKernels;
    instances.set(memory, kernels);
    return kernels;
  } catch {
    pending.add(memory);
    void WebAssembly.instantiate(module, imports).then(
      (instance) => instances.set(memory, instance.exports as unknown as SimdKernels),
      () => undefined,
    );
    return null;
  }
}

/**
 * Turns the library's WebAssembly SIMD kernels on the wasm backend off, or back on (the default).
 * Off, the layers that use them take their previous path on wasm (a JavaScript loop, or tfjs
 * ops), which computes the same function more slowly: an escape hatch, and for comparisons.
 *
 * @param on - true to use the SIMD kernels where they can run, false never to use them.
 * @returns the previous setting.
 * @throws Error when `on` is not a boolean.
 */
export function setWasmSimdKernelsEnabled(on: boolean): boolean {
  if (typeof on !== 'boolean') throw new Error(`setWasmSimdKernelsEnabled: on must be true or false, got ${String(on)}.`);
  const previous = enabled;
  enabled = on;
  return previous;
}

/**
 * Whether the current tfjs backend is wasm and the library's SIMD kernels run on it now: false on
 * other backends, when switched off, without WebAssembly SIMD, with tfjs' multi-threaded wasm build,
 * and on a browser main thread until the module has compiled in the background.
 */
export function isWasmSimdActive(): boolean {
  return tf.getBackend() === 'wasm' && simdKernelsFor(tf.backend()) !== null;
}
