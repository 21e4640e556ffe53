/**
 * Regenerates src/kernels/simd/module_bytes.ts from src/kernels/simd/wat_source.ts.
 * Run `npm run build:simd` after changing the WebAssembly text.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleSimdModule, moduleBytesSource } from './assemble_simd.js';

const target = fileURLToPath(new URL('../src/kernels/simd/module_bytes.ts', import.meta.url));
const bytes = await assembleSimdModule();
writeFileSync(target, moduleBytesSource(bytes));
console.log(`wrote ${target} (${bytes.length} bytes of WebAssembly)`);
