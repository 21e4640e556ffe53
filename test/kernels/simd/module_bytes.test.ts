import { describe, expect, it } from 'vitest';
import { assembleSimdModule } from '../../../scripts/assemble_simd.js';
import { simdModuleBytes } from '../../../src/kernels/simd/instance.js';

describe('the shipped SIMD module', () => {
  it('is what wat_source.ts assembles to (run `npm run build:simd` after editing it)', async () => {
    const bytes = await assembleSimdModule();
    expect(Buffer.from(simdModuleBytes()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('imports only the memory and needs no memory, table, global or start of its own', () => {
    const module = new WebAssembly.Module(simdModuleBytes());
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(WebAssembly.Module.exports(module).every((e) => e.kind === 'function')).toBe(true);
  });
});
