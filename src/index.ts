export { optimizeWasmMatMul, isWasmMatMulOptimized } from './kernels/wasm_matmul.js';
