import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The paths of simd/instance.ts a Node test does not take by itself: a runtime without
 * WebAssembly SIMD, and a browser main thread, which refuses to compile or instantiate a module
 * over 4 KB synchronously. Each test loads a fresh copy of the module (its cache is module state).
 */
type InstanceModule = typeof import('../../../src/kernels/simd/instance.js');
const backend = (): unknown => ({ wasm: { asm: { memory: new WebAssembly.Memory({ initial: 1 }) } } });
const later = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));
const wasm = WebAssembly as unknown as Record<string, unknown>;
const saved = { Module: WebAssembly.Module, Instance: WebAssembly.Instance };

async function freshInstanceModule(): Promise<InstanceModule> {
  vi.resetModules();
  return import('../../../src/kernels/simd/instance.js');
}

describe('SIMD kernels fall back, then take over', () => {
  afterEach(() => {
    wasm.Module = saved.Module;
    wasm.Instance = saved.Instance;
    vi.restoreAllMocks();
  });

  it('are never used where WebAssembly.validate rejects the module (no SIMD)', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const { simdKernelsFor } = await freshInstanceModule();
    const b = backend();
    expect(simdKernelsFor(b)).toBeNull();
    await later();
    expect(simdKernelsFor(b)).toBeNull();
  });

  it('compile in the background when synchronous compilation is refused, and are used once ready', async () => {
    wasm.Module = function refuse(): never {
      throw new RangeError('WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB.');
    };
    const { simdKernelsFor } = await freshInstanceModule();
    const b = backend();
    expect(simdKernelsFor(b)).toBeNull();
    await later();
    expect(typeof simdKernelsFor(b)?.multiply).toBe('function');
  });

  it('instantiate in the background when synchronous instantiation is refused, once per memory', async () => {
    wasm.Instance = function refuse(): never {
      throw new RangeError('WebAssembly.Instance is disallowed on the main thread, if the buffer size is larger than 4KB.');
    };
    const instantiate = vi.spyOn(WebAssembly, 'instantiate');
    const { simdKernelsFor } = await freshInstanceModule();
    const b = backend();
    expect(simdKernelsFor(b)).toBeNull();
    expect(simdKernelsFor(b)).toBeNull(); // still pending: no second instantiation
    expect(instantiate).toHaveBeenCalledTimes(1);
    await later();
    expect(typeof simdKernelsFor(b)?.multiply).toBe('function');
  });
});
