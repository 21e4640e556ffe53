import * as tf from '@tensorflow/tfjs';
import { checkNumber, describe } from '../layers/common.js';
import { createActivation, type ActivationArgs } from '../registry.js';

/** Options of {@link buildReferenceMLP}. Every field has the paper's value as default. */
export interface ReferenceMLPOptions {
  /** Registry name of the hidden activation. Default `'arelu'`. */
  activation?: string;
  /** Arguments passed to the activation's factory (e.g. `{initialSlope: 0.1}`). */
  activationArgs?: ActivationArgs;
  /** Units of each hidden Dense layer. Default [512, 512] (Atoum 2023, Fig. 9). */
  hiddenUnits?: number[];
  /** Input features. Default 784 (28x28 MNIST pixels). */
  inputSize?: number;
  /** Output classes (softmax). Default 10. */
  classes?: number;
  /** Seed of the kernel initializers (Glorot uniform, Keras' default; biases start at 0). Default 1. */
  seed?: number;
  /** Initial value of the hidden Dense biases. Default 0 (Keras' default). The benchmark's stress mode sets it below 0. */
  hiddenBias?: number;
}

/**
 * The network of Atoum (2023): Dense 784->512, activation, Dense 512->512, activation,
 * Dense 512->10 softmax, with Keras' default initializers (Glorot uniform kernels, zero biases),
 * seeded so that the same seed gives the same initial weights.
 *
 * - Input: float32 [batch, inputSize]. Output: float32 [batch, classes], class probabilities.
 * @throws Error from the registry when `activation` is unknown (it lists the valid names);
 *   naming the option when an option name is unknown, `hiddenUnits` is not a non-empty array of
 *   integers >= 1, `inputSize` or `classes` is not an integer >= 1, or `seed` / `hiddenBias` is not finite.
 */
export function buildReferenceMLP(options: ReferenceMLPOptions = {}): tf.Sequential {
  checkMLPOptions(options);
  const {
    activation = 'arelu',
    activationArgs,
    hiddenUnits = [512, 512],
    inputSize = 784,
    classes = 10,
    seed = 1,
    hiddenBias = 0,
  } = options;
  const layers: tf.layers.Layer[] = [];
  hiddenUnits.forEach((units, i) => {
    layers.push(
      tf.layers.dense({
        ...(i === 0 ? { inputShape: [inputSize] } : {}),
        units,
        name: `dense_${i + 1}`,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + i }),
        biasInitializer: hiddenBias === 0 ? 'zeros' : tf.initializers.constant({ value: hiddenBias }),
      }),
    );
    layers.push(createActivation(activation, { name: `${activation.replace(/-/g, '_')}_${i + 1}`, ...activationArgs }));
  });
  layers.push(
    tf.layers.dense({
      units: classes,
      activation: 'softmax',
      name: 'output',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + hiddenUnits.length }),
    }),
  );
  return tf.sequential({ name: `mlp_${activation.replace(/-/g, '_')}`, layers });
}

const MLP_OPTIONS = ['activation', 'activationArgs', 'hiddenUnits', 'inputSize', 'classes', 'seed', 'hiddenBias'];

function checkMLPOptions(options: ReferenceMLPOptions): void {
  const fn = 'buildReferenceMLP';
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new Error(`${fn}: options must be an object, got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!MLP_OPTIONS.includes(key)) throw new Error(`${fn}: unknown option '${key}'. Allowed: ${MLP_OPTIONS.join(', ')}.`);
  }
  const { hiddenUnits, inputSize, classes, seed, hiddenBias } = options;
  const validUnits = Array.isArray(hiddenUnits) && hiddenUnits.length > 0 && hiddenUnits.every((u) => Number.isInteger(u) && u >= 1);
  if (hiddenUnits !== undefined && !validUnits) {
    // At least one hidden layer: without one the network has no activation to compare.
    throw new Error(`${fn}: hiddenUnits must be a non-empty array of integers >= 1 (e.g. [512, 512]), got ${describe(hiddenUnits)}.`);
  }
  if (inputSize !== undefined) checkNumber(fn, 'inputSize', inputSize, { min: 1, integer: true });
  if (classes !== undefined) checkNumber(fn, 'classes', classes, { min: 1, integer: true });
  if (seed !== undefined) checkNumber(fn, 'seed', seed);
  if (hiddenBias !== undefined) checkNumber(fn, 'hiddenBias', hiddenBias);
}
