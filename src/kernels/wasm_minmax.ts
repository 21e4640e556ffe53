/**
 * Replacement `Maximum` and `Minimum` kernels for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 computes these two with a generic per-element
 * broadcasting loop instead of XNNPACK, 20-25x slower than its `Multiply`
 * (about 11 ms for a [784, 512] pair, against 0.2 ms). Adamax calls
 * `Maximum` on every weight at every step, so it costs about a tenth of a
 * training step of the reference MLP. A branch-free JavaScript loop over
 * the backend's heap (the backend's own `Identity` kernel copies data in
 * JavaScript the same way) is several times faster.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmBackendLike } from './wasm_backend_access.js';
import { isSuffixBroadcast } from './wasm_matmul_plan.js';

/** Which of the two kernels. */
export type MinMaxOp = 'max' | 'min';

/** Float32 values and the same memory as int32 bits. */
interface Lanes {
  f: Float32Array;
  i: Int32Array;
}

function lanes(view: Float32Array | Int32Array | Uint8Array): Lanes {
  const f = new Float32Array(view.buffer, view.byteOffset, view.length);
  return { f, i: new Int32Array(view.buffer, view.byteOffset, view.length) };
}

// The loops pick one operand's bits with a mask instead of a branch: on
// data whose order is random (gradients) a branch mispredicts half the time
// and is about 3x slower. `x[i] !== x[i]` (NaN) selects x, so NaN in either
// operand gives NaN, as Math.max/Math.min do in tfjs' cpu backend.

function maxSame(o: Int32Array, x: Lanes, y: Lanes): void {
  const xf = x.f, xi = x.i, yf = y.f, yi = y.i, n = o.length;
  for (let k = 0; k < n; k++) {
    const a = xf[k];
    const m = -(+(a > yf[k]) | +(a !== a));
    o[k] = yi[k] ^ ((xi[k] ^ yi[k]) & m);
  }
}

function minSame(o: Int32Array, x: Lanes, y: Lanes): void {
  const xf = x.f, xi = x.i, yf = y.f, yi = y.i, n = o.length;
  for (let k = 0; k < n; k++) {
    const a = xf[k];
    const m = -(+(a < yf[k]) | +(a !== a));
    o[k] = yi[k] ^ ((xi[k] ^ yi[k]) & m);
  }
}

function maxBroadcast(o: Int32Array, x: Lanes, y: Lanes): void {
  const xf = x.f, xi = x.i, yf = y.f, yi = y.i, nx = xf.length, ny = yf.length, n = o.length;
  for (let k = 0; k < n; k++) {
    const p = k % nx, q = k % ny;
    const a = xf[p];
    const m = -(+(a > yf[q]) | +(a !== a));
    o[k] = yi[q] ^ ((xi[p] ^ yi[q]) & m);
  }
}

function minBroadcast(o: Int32Array, x: Lanes, y: Lanes): void {
  const xf = x.f, xi = x.i, yf = y.f, yi = y.i, nx = xf.length, ny = yf.length, n = o.length;
  for (let k = 0; k < n; k++) {
    const p = k % nx, q = k % ny;
    const a = xf[p];
    const m = -(+(a < yf[q]) | +(a !== a));
    o[k] = yi[q] ^ ((xi[p] ^ yi[q]) & m);
  }
}

/**
 * Builds the replacement `Maximum` or `Minimum` kernel function.
 *
 * Inputs `a`, `b` float32 whose shapes broadcast to the output by repeating
 * one operand whole (same shape, a scalar, a row...); output float32 of the
 * broadcast shape, element-wise maximum / minimum. NaN in either operand
 * gives NaN, as in tfjs' cpu backend (`Math.max`); of two zeros of opposite
 * sign the result may be either. Other inputs (int32, other broadcasts) go
 * to the stock kernel unchanged.
 *
 * @param stock - the stock wasm kernel of the same name.
 * @param op - `'max'` for `Maximum`, `'min'` for `Minimum`.
 * @returns a kernel function for tfjs' kernel registry.
 */
export function makeMinMaxKernel(stock: tf.KernelConfig, op: MinMaxOp): tf.KernelFunc {
  const same = op === 'max' ? maxSame : minSame;
  const broadcast = op === 'max' ? maxBroadcast : minBroadcast;
  return (args) => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    if (a == null || b == null || !isWasmBackendLike(backend)) return stock.kernelFunc(args);
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc(args);
    let shape: number[];
    try {
      shape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    } catch {
      return stock.kernelFunc(args);
    }
    if (!isSuffixBroadcast(a.shape, shape) || !isSuffixBroadcast(b.shape, shape)) {
      return stock.kernelFunc(args);
    }
    const out = backend.makeOutput(shape, 'float32');
    // Views after the allocation, which may have grown the heap.
    const o = lanes(backend.typedArrayFromHeap(out)).i;
    const x = lanes(backend.typedArrayFromHeap(a));
    const y = lanes(backend.typedArrayFromHeap(b));
    if (o.length === 0) return out;
    if (x.f.length === o.length && y.f.length === o.length) same(o, x, y);
    else broadcast(o, x, y);
    return out;
  };
}
