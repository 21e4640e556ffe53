import * as tf from '@tensorflow/tfjs';

/** Builds `layer` for inputs of shape [batch, n] if needed and returns its output at `points` (one row). */
export function outputAt(layer: tf.layers.Layer, points: number[], kwargs: Record<string, unknown> = {}): Float32Array {
  return tf.tidy(() => (layer.apply(tf.tensor2d([points]), kwargs) as tf.Tensor).dataSync() as Float32Array);
}

/** d(sum of the layer's output)/dx at `points`, i.e. the element-wise derivative of the activation. */
export function derivativeAt(layer: tf.layers.Layer, points: number[], kwargs: Record<string, unknown> = {}): Float32Array {
  return tf.tidy(
    () => tf.grad((x: tf.Tensor) => (layer.apply(x, kwargs) as tf.Tensor).sum())(tf.tensor2d([points])).dataSync() as Float32Array,
  );
}

/** The gradient of sum(layer(x)) with respect to each trainable weight of `layer`, by weight name suffix. */
export function weightGradients(layer: tf.layers.Layer, points: number[]): Record<string, Float32Array> {
  return tf.tidy(() => {
    const x = tf.tensor2d([points]);
    layer.apply(x); // builds the layer
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, variables);
    const out: Record<string, Float32Array> = {};
    layer.trainableWeights.forEach((w, i) => {
      const short = w.originalName.split('/').pop() as string;
      out[short] = grads[variables[i].name].dataSync() as Float32Array;
    });
    return out;
  });
}

/** Writes `value` into the weight of `layer` whose name ends in `/name` (the layer must be built). */
export function setWeight(layer: tf.layers.Layer, name: string, value: number[]): void {
  const w = layer.weights.find((v) => v.originalName.endsWith(`/${name}`));
  if (w === undefined) throw new Error(`${layer.name} has no weight ${name}`);
  tf.tidy(() => {
    w.write(tf.tensor(value, w.read().shape));
  });
}

/** The logistic sigmoid in float64. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
