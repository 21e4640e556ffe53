/**
 * Regenerates src/kernels/simd/module_bytes.ts from src/kernels/simd/wat_source.ts.
 * Run `npm run build:simd` after changing the WebAssembly text.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleSimdModule, moduleBytesSource } from './assemble_simd.js';

const target = fileURLToPath(new URL('../src/kernels/simd/module_bytes.ts', import.meta.url));
let bytes: Uint8Array;
try {
  bytes = await assembleSimdModule();
} catch (error) {
  // wabt's errors name the line and column of the generated text; its stack is minified noise.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
writeFileSync(target, moduleBytesSource(bytes));
console.log(`wrote ${target} (${bytes.length} bytes of WebAssembly)`);
