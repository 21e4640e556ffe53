/**
 * Replacement `GatherV2` kernel for the wasm backend.
 *
 * tfjs-layers' `model.fit` cuts every batch out of the training data with
 * `tf.gather` (rows along axis 0). tfjs-backend-wasm 4.22 gathers element by
 * element through a generic strided loop: about 2.8 ms for 128 rows of 784
 * floats, some 6% of a training step of the reference MLP once its products
 * are fast. Copying each gathered slice with `TypedArray.set` on the
 * backend's heap (as the backend's own `Identity` kernel copies) takes
 * about 0.03 ms. The result is the same copy of the same values.
 */
import * as tf from '@tensorflow/tfjs';
import { isWasmBackendLike } from './wasm_backend_access.js';

/** Slices shorter than this are copied element by element (a `set` call costs more). */
const SET_MIN_SLICE = 16;

const COPYABLE: ReadonlySet<string> = new Set(['float32', 'int32', 'bool']);

/**
 * Builds the replacement `GatherV2` kernel function (`tf.gather`).
 *
 * Inputs `x` (float32, int32 or bool, any shape) and int32 `indices`;
 * attributes `axis` and `batchDims`. Output: `x`'s dtype, shape
 * `x.shape[:axis] + indices.shape[batchDims:] + x.shape[axis+1:]`
 * (tfjs' `collectGatherOpShapeInfo`), the same values as the stock kernel.
 * Anything else, and indices out of range (so that the stock kernel raises
 * its usual error naming the index), goes to the stock kernel.
 *
 * @param stock - the stock wasm `GatherV2` kernel.
 * @returns a kernel function for tfjs' kernel registry.
 */
export function makeGatherKernel(stock: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { inputs, backend, attrs = {} } = args;
    const { x, indices } = inputs;
    if (x == null || indices == null || !isWasmBackendLike(backend)) return stock.kernelFunc(args);
    if (!COPYABLE.has(x.dtype) || indices.dtype !== 'int32') return stock.kernelFunc(args);
    let info: ReturnType<typeof tf.backend_util.segment_util.collectGatherOpShapeInfo>;
    try {
      const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
      const batchDims = typeof attrs.batchDims === 'number' ? attrs.batchDims : 0;
      info = tf.backend_util.segment_util.collectGatherOpShapeInfo(x, indices, axis, batchDims);
    } catch {
      return stock.kernelFunc(args); // raises tfjs' error for bad attributes
    }
    const { batchSize, outerSize, dimSize, sliceSize, outputShape } = info;
    const idx = backend.typedArrayFromHeap(indices);
    for (let i = 0; i < idx.length; i++) {
      if (!(idx[i] >= 0 && idx[i] < dimSize)) return stock.kernelFunc(args);
    }
    const out = backend.makeOutput(outputShape, x.dtype);
    // Views after the allocation, which may have grown the heap.
    const o = backend.typedArrayFromHeap(out);
    if (o.length === 0) return out;
    const src = backend.typedArrayFromHeap(x);
    const ids = backend.typedArrayFromHeap(indices);
    const perBatch = ids.length / batchSize;
    let dst = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let r = 0; r < outerSize; r++) {
        const base = (b * outerSize + r) * dimSize;
        for (let i = 0; i < perBatch; i++) {
          const from = (base + ids[b * perBatch + i]) * sliceSize;
          if (sliceSize >= SET_MIN_SLICE) {
            o.set(src.subarray(from, from + sliceSize), dst);
          } else {
            for (let s = 0; s < sliceSize; s++) o[dst + s] = src[from + s];
          }
          dst += sliceSize;
        }
      }
    }
    return out;
  };
}
