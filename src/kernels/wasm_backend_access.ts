/**
 * Typed access to the parts of tfjs-backend-wasm that the replacement matMul
 * kernels and the layers' own kernels (host_kernels.ts) use: the backend object
 * a kernel receives, and the stock kernels looked up in tfjs' public kernel
 * registry.
 *
 * Nothing here imports `@tensorflow/tfjs-backend-wasm`: the backend object is
 * the one tfjs passes to a kernel, and stock kernels come from the registry.
 */
import * as tf from '@tensorflow/tfjs';

/** Name under which tfjs-backend-wasm registers its backend and kernels. */
export const WASM_BACKEND = 'wasm';

/**
 * The methods of tfjs-backend-wasm's `BackendWasm` that these kernels call.
 * The backend's own kernels use the same ones (e.g. its `Identity` kernel).
 */
export interface WasmBackendLike {
  /** Allocates an uninitialised tensor on the wasm heap (reference count 1). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** Drops one reference to `dataId`; frees the heap memory at zero. */
  disposeData(dataId: tf.DataId): boolean;
  /**
   * A typed-array view of a tensor's heap memory. The view is invalidated
   * when the heap grows, so take it after the last allocation.
   */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * Tells whether `backend` has the methods of {@link WasmBackendLike}.
 *
 * @param backend - the `backend` argument tfjs passes to a kernel.
 * @returns true when every method these kernels use exists.
 */
export function isWasmBackendLike(backend: unknown): backend is WasmBackendLike {
  if (backend == null || typeof backend !== 'object') return false;
  const b = backend as Record<string, unknown>;
  return (
    typeof b.makeOutput === 'function' &&
    typeof b.disposeData === 'function' &&
    typeof b.typedArrayFromHeap === 'function'
  );
}

/**
 * Runs a registered kernel's `kernelFunc` directly, the way tfjs-backend-wasm's
 * own kernels call each other (no engine bookkeeping, no gradient tape). The
 * caller owns the returned tensor and must hand it to tfjs or dispose it with
 * `backend.disposeData`.
 *
 * @param config - the kernel to run.
 * @param inputs - named input tensors.
 * @param backend - the wasm backend object.
 * @param attrs - kernel attributes.
 * @returns the single output tensor.
 * @throws Error if the kernel returns several outputs (none of the kernels
 *   used here does).
 */
export function runKernelFunc(
  config: tf.KernelConfig,
  inputs: tf.NamedTensorInfoMap,
  backend: WasmBackendLike,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  const out = config.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) {
    throw new Error(
      `kernel '${config.kernelName}' returned ${out.length} outputs; ` +
        'the wasm matMul kernels expect exactly one',
    );
  }
  return out;
}

/**
 * Tensors a kernel allocates for its own use; {@link TempTensors.disposeAll}
 * frees them on every exit path, including when a stock kernel throws.
 */
export class TempTensors {
  private readonly owned: tf.TensorInfo[] = [];

  constructor(private readonly backend: WasmBackendLike) {}

  /** Records `info` as a temporary and returns it. */
  add(info: tf.TensorInfo): tf.TensorInfo {
    this.owned.push(info);
    return info;
  }

  /** Frees one temporary now (it must have been added). */
  dispose(info: tf.TensorInfo): void {
    const i = this.owned.indexOf(info);
    if (i >= 0) {
      this.owned.splice(i, 1);
      this.backend.disposeData(info.dataId);
    }
  }

  /** Stops tracking `info` (it becomes the kernel's output) and returns it. */
  release(info: tf.TensorInfo): tf.TensorInfo {
    const i = this.owned.indexOf(info);
    if (i >= 0) this.owned.splice(i, 1);
    return info;
  }

  /** Frees every temporary still tracked. */
  disposeAll(): void {
    for (const info of this.owned.splice(0)) this.backend.disposeData(info.dataId);
  }
}

/**
 * A tensor that shares `info`'s heap memory under another shape of the same
 * size, like tfjs-backend-wasm's `Reshape` but without a reference: it must
 * not outlive `info` and must never be disposed itself.
 */
export function viewAs(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}
