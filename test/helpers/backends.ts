import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** The offline backends every layer test runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** Switches tfjs to `name` and waits until it is ready; fails the test if it cannot. */
export async function useBackend(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`backend ${name} failed to initialize`);
  await tf.ready();
  if (tf.getBackend() !== name) throw new Error(`backend is ${tf.getBackend()}, wanted ${name}`);
}
