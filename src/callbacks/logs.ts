import * as tf from '@tensorflow/tfjs';

/** Epoch logs as tfjs hands them to a `Callback`: numbers, or scalar tensors not yet read. */
export type EpochLogs = Record<string, unknown>;

/**
 * The plain value of one log entry: a scalar tensor is read (asynchronously, once per epoch),
 * anything else is returned as it is.
 */
export async function logValue(value: unknown): Promise<unknown> {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) return undefined;
    const data = await value.data();
    return data.length === 1 ? data[0] : undefined;
  }
  return value;
}
