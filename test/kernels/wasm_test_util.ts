/**
 * Helpers shared by the wasm kernel tests: seeded data, running a
 * computation on one backend and reading its values back, comparing.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { optimizeWasmMatMul } from '../../src/index.js';

/** Deterministic uniform values in [-1, 1) (mulberry32), independent of any backend. */
export function seeded(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** A tensor of `shape` filled with {@link seeded} values. */
export function seededTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(seeded(shape.reduce((p, d) => p * d, 1), seed), shape);
}

/** Values and shape of a computed tensor. */
export interface Result {
  shape: number[];
  values: Float32Array;
}

/**
 * Runs `f` on `backend` inside `tf.tidy` and reads the result back.
 * `f` must create its inputs itself (tensors live on one backend).
 */
export async function runOn(backend: string, f: () => tf.Tensor): Promise<Result> {
  await tf.setBackend(backend);
  const t = tf.tidy(f);
  const result = { shape: t.shape, values: Float32Array.from(t.dataSync()) };
  t.dispose();
  return result;
}

/** Largest |a_i - b_i|; Infinity when shapes differ or a NaN meets a number. */
export function maxAbsDiff(a: Result, b: Result): number {
  if (a.shape.join(',') !== b.shape.join(',')) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i];
    const y = b.values[i];
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
      continue;
    }
    if (x === y) continue; // equal infinities
    worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

/**
 * `f` on the cpu backend (the reference), on wasm with the stock kernels, and on wasm with
 * optimizeWasmMatMul's kernels; leaves the stock kernels in place.
 */
export async function cpuStockFast(f: () => tf.Tensor): Promise<{ cpu: Result; stock: Result; fast: Result }> {
  const cpu = await runOn('cpu', f);
  const restore = optimizeWasmMatMul();
  restore();
  const stock = await runOn('wasm', f);
  optimizeWasmMatMul();
  const fast = await runOn('wasm', f);
  restore();
  return { cpu, stock, fast };
}

/**
 * Runs `round` once to warm up, then `times` more, and checks that tensors, bytes, the engine's
 * data buffers and the backend's data ids are where they were after the warm-up.
 */
export function expectStableMemory(round: () => void, times: number): void {
  round();
  const backend = tf.backend();
  const before = { ...tf.memory(), dataIds: backend.numDataIds() };
  for (let i = 0; i < times; i++) round();
  const after = { ...tf.memory(), dataIds: backend.numDataIds() };
  expect(after.numTensors).toBe(before.numTensors);
  expect(after.numBytes).toBe(before.numBytes);
  expect(after.numDataBuffers).toBe(before.numDataBuffers);
  expect(after.dataIds).toBe(before.dataIds);
}

