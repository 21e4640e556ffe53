/**
 * Every registry activation (`activationNames()`) on the inputs a training run may hand it:
 * int32 and bool tensors, NaN, and an empty batch, on cpu and wasm.
 *
 * The NaN rule: an element-wise activation maps a NaN input to NaN in the same element and leaves
 * every other element as it would be without the NaN. Maxout mixes the k = 2 units of a group:
 * an output unit is NaN when its group holds a NaN, and the other units are unaffected. One
 * documented exception: tfjs' `relu6` on wasm gives 6 for NaN (tfjs-wasm 4.22's Minimum returns
 * its first operand against NaN, and tfjs computes relu6 as minimum(6, relu(x))).
 *
 * An empty batch ([0, units]) gives an empty output and an empty input gradient on both backends.
 * The gradients of learnable weights have their shapes, and are 0 on cpu; on wasm they are not
 * checked for 0: tfjs-wasm 4.22's Sum over an empty axis returns uninitialised heap memory (tiny
 * denormals in practice), which reaches every weight gradient of an empty batch, tfjs' own Dense
 * bias included. tfjs' `fit` never forms an empty batch.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationNames, createActivation } from '../src/index.js';
import { BACKENDS, useBackend } from './helpers/backends.js';
import { expectClose } from './helpers/numeric.js';

const NAMES = activationNames();
/** Units per sample: a multiple of Maxout's 2 pieces. */
const WIDTH = 6;
const GROUP = 2;
const outWidth = (name: string) => (name === 'maxout' ? WIDTH / GROUP : WIDTH);
const INTS = [
  [-3, -1, 0, 1, 2, 5],
  [4, -2, 0, 0, 1, -6],
];
const BOOLS = [
  [true, false, true, false, false, true],
  [false, false, true, true, true, false],
];

function built(name: string): tf.layers.Layer {
  const layer = createActivation(name);
  layer.build([null, WIDTH]);
  return layer;
}

const run = (layer: tf.layers.Layer, x: tf.Tensor) => tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync());

describe.each(BACKENDS)('every registry activation on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(NAMES)('%s: int32 and bool inputs give the float32 output of the same values', (name) => {
    const layer = built(name);
    const yi = layer.apply(tf.tensor2d(INTS, undefined, 'int32')) as tf.Tensor;
    expect(yi.dtype).toBe('float32');
    expect(Array.from(yi.dataSync())).toEqual(Array.from(run(layer, tf.tensor2d(INTS, undefined, 'float32'))));
    const yb = layer.apply(tf.tensor2d(BOOLS, undefined, 'bool')) as tf.Tensor;
    expect(yb.dtype).toBe('float32');
    expect(Array.from(yb.dataSync())).toEqual(Array.from(run(layer, tf.tensor2d(BOOLS.map((r) => r.map(Number))))));
  });

  it.each(NAMES)('%s: a NaN input stays NaN in its own element and leaves the others alone', (name) => {
    const layer = built(name);
    const withNaN = [
      [0.5, Number.NaN, -1.5, 2, -0.25, 0],
      [Number.NaN, 3, -2, 0.75, 1, Number.NaN],
    ];
    const nanAt = withNaN.flat().map(Number.isNaN);
    const y = run(layer, tf.tensor2d(withNaN));
    const clean = run(layer, tf.tensor2d(withNaN.map((r) => r.map((v) => (Number.isNaN(v) ? 0.3 : v)))));
    // Which output elements a NaN reaches: itself, or (Maxout) the output unit of its group.
    const poisoned = name === 'maxout'
      ? Array.from({ length: y.length }, (_, j) => nanAt[GROUP * j] || nanAt[GROUP * j + 1])
      : nanAt;
    const relu6OnWasm = name === 'relu6' && backend === 'wasm';
    Array.from(y).forEach((v, i) => {
      if (!poisoned[i]) expect(v, `element ${i}`).toBe(clean[i]);
      else if (relu6OnWasm) expect(v, `element ${i}`).toBe(6);
      else expect(v, `element ${i}`).toBeNaN();
    });
  });

  it.each(NAMES)('%s: an empty batch gives an empty float32 output and gradients of the right shapes', (name) => {
    const layer = built(name);
    const x = tf.zeros([0, WIDTH]);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([0, outWidth(name)]);
    expect(y.dtype).toBe('float32');
    expect(tf.grad((t: tf.Tensor) => (layer.apply(t) as tf.Tensor).sum())(x).shape).toEqual([0, WIDTH]);
    const variables = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    if (variables.length > 0) {
      const { grads } = tf.variableGrads(() => (layer.apply(x) as tf.Tensor).sum() as tf.Scalar, variables);
      for (const v of variables) {
        expect(grads[v.name].shape).toEqual(v.shape);
        if (backend === 'cpu') expect(Array.from(grads[v.name].dataSync()).every((g) => g === 0)).toBe(true);
      }
    }
  });
});

describe('every registry activation gives the same float32 output for int32 and bool inputs on cpu and wasm', () => {
  it.each(NAMES)('%s', async (name) => {
    const outputs: Record<string, Float32Array[]> = {};
    let weights: Array<{ values: Float32Array; shape: number[] }> = [];
    for (const backend of BACKENDS) {
      await useBackend(backend);
      const layer = built(name);
      // Same weights on both backends (APL and ACON-C start from random ones).
      if (backend === BACKENDS[0]) weights = layer.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape }));
      else layer.setWeights(weights.map((w) => tf.tensor(w.values, w.shape)));
      outputs[backend] = [
        run(layer, tf.tensor2d(INTS, undefined, 'int32')) as Float32Array,
        run(layer, tf.tensor2d(BOOLS, undefined, 'bool')) as Float32Array,
      ];
    }
    const [a, b] = BACKENDS.map((backend) => outputs[backend]);
    // The backends' exp/tanh/sin may differ in the last float32 bits.
    expectClose(b[0], a[0], 1e-6, 1e-5);
    expectClose(b[1], a[1], 1e-6, 1e-5);
  });
});
