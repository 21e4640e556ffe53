import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { createActivation, isWasmSimdActive, setWasmSimdKernelsEnabled } from '../../../src/index.js';
import { simdKernelsFor } from '../../../src/kernels/simd/instance.js';
import { useBackend } from '../../helpers/backends.js';
import { expectClose } from '../../helpers/numeric.js';

describe('when the SIMD kernels run', () => {
  afterEach(() => {
    setWasmSimdKernelsEnabled(true);
  });

  it('they are active on wasm and not on cpu', async () => {
    await useBackend('wasm');
    expect(isWasmSimdActive()).toBe(true);
    await useBackend('cpu');
    expect(isWasmSimdActive()).toBe(false);
  });

  it('setWasmSimdKernelsEnabled switches them off and on, returns the previous setting, and the layers give the same values either way', async () => {
    await useBackend('wasm');
    const layer = createActivation('swish-beta');
    const x = tf.tensor2d([[-3, -0.5, 0, 0.5, 3]]);
    const on = (layer.apply(x) as tf.Tensor).dataSync();
    expect(setWasmSimdKernelsEnabled(false)).toBe(true);
    expect(isWasmSimdActive()).toBe(false);
    const off = (layer.apply(x) as tf.Tensor).dataSync();
    expectClose(on, off, 1e-6, 1e-6);
    expect(setWasmSimdKernelsEnabled(true)).toBe(false);
    expect(isWasmSimdActive()).toBe(true);
  });

  it('refuses a setting that is not a boolean, naming the argument', () => {
    expect(() => setWasmSimdKernelsEnabled('no' as unknown as boolean)).toThrow(/setWasmSimdKernelsEnabled: on must be true or false, got no/);
  });

  it('are not used for a backend object without a WebAssembly memory, or with a shared one', () => {
    expect(simdKernelsFor({})).toBeNull();
    expect(simdKernelsFor(null)).toBeNull();
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    expect(simdKernelsFor({ wasm: { asm: { memory: shared } } })).toBeNull();
    const own = new WebAssembly.Memory({ initial: 1 });
    expect(simdKernelsFor({ wasm: { wasmMemory: own } })).not.toBeNull();
  });
});
