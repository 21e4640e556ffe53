import * as tf from '@tensorflow/tfjs';
import { optimizeWasmMatMul } from '../kernels/wasm_matmul.js';

/** Backends `selectBackend` can choose: `auto` tries tensorflow, then wasm, then cpu. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The backend a process runs on, and how it was set up. */
export interface BackendInfo {
  /** 'tensorflow' (tfjs-node, native), 'wasm' or 'cpu' (pure JS). */
  name: 'tensorflow' | 'wasm' | 'cpu';
  /** On wasm: 'optimized' when {@link optimizeWasmMatMul} is applied, else 'stock'; null elsewhere. */
  kernels: 'optimized' | 'stock' | null;
  /** A line for the user: what runs and, when not native, how to get the native backend. */
  description: string;
}

const NATIVE_HINT = 'faster: npm install @tensorflow/tfjs-node (its install downloads libtensorflow: needs internet)';
const WASM_HINT = 'for the offline wasm backend (about 30x faster than cpu here): npm install @tensorflow/tfjs-backend-wasm';

/**
 * Chooses and initialises the tfjs backend. `auto` uses tfjs-node when it loads, else wasm,
 * else cpu. On wasm, {@link optimizeWasmMatMul} is applied unless `stockKernels` is set.
 *
 * @throws Error naming the backend and the reason when an explicitly requested backend cannot be loaded,
 *   or when `choice` is not one of auto, tensorflow, wasm, cpu.
 */
export async function selectBackend(choice: BackendChoice = 'auto', options: { stockKernels?: boolean } = {}): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(choice)) {
    throw new Error(`backend must be one of ${BACKEND_CHOICES.join(', ')}, got ${JSON.stringify(choice)}.`);
  }
  const stockKernels = options.stockKernels ?? false;
  if (choice === 'auto' || choice === 'tensorflow') {
    const reason = await tryTensorflow();
    if (reason === null) return { name: 'tensorflow', kernels: null, description: 'backend: tensorflow (tfjs-node, native)' };
    if (choice === 'tensorflow') {
      throw new Error(`backend tensorflow: @tensorflow/tfjs-node could not be loaded (${reason}). Choose the 'wasm' or 'cpu' backend (--backend in the CLIs), or install tfjs-node with internet access.`);
    }
  }
  if (choice === 'auto' || choice === 'wasm') {
    const reason = await tryWasm();
    if (reason === null) {
      if (stockKernels) {
        return { name: 'wasm', kernels: 'stock', description: `backend: wasm with tfjs' stock kernels (--stock-kernels; slower); ${NATIVE_HINT}` };
      }
      optimizeWasmMatMul();
      return {
        name: 'wasm',
        kernels: 'optimized',
        description: `backend: wasm with optimizeWasmMatMul (--stock-kernels: tfjs' own kernels); ${NATIVE_HINT}`,
      };
    }
    if (choice === 'wasm') throw new Error(`backend wasm: @tensorflow/tfjs-backend-wasm could not be loaded (${reason}).`);
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('backend cpu: tfjs could not initialise its pure-JS backend.');
  await tf.ready();
  return { name: 'cpu', kernels: null, description: `backend: cpu (pure JS, slowest); ${choice === "cpu" ? NATIVE_HINT : WASM_HINT}` };
}

async function tryTensorflow(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-node' as string);
    if (!(await tf.setBackend('tensorflow'))) return 'its backend did not initialise';
    await tf.ready();
    return null;
  } catch (e) {
    return firstLine(e);
  }
}

async function tryWasm(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm' as string);
    if (!(await tf.setBackend('wasm'))) return 'its backend did not initialise';
    await tf.ready();
    return null;
  } catch (e) {
    return firstLine(e);
  }
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}
