import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Maxout, maxout } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { describeLayerContract } from '../helpers/layer_contract.js';
import { expectClose } from '../helpers/numeric.js';
import { expectUsableInReferenceMlp } from '../helpers/reference_mlp.js';

// Goodfellow et al. (2013): h_i = max_j z_{i,j} over groups of k consecutive units, in plain JS.
function formula(row: number[], k: number): number[] {
  return Array.from({ length: row.length / k }, (_, i) => Math.max(...row.slice(i * k, i * k + k)));
}
// Its gradient for sum(h): 1 at each group's (unique) maximum, 0 elsewhere.
function gradient(row: number[], k: number): number[] {
  const out = row.map(() => 0);
  formula(row, k).forEach((m, i) => {
    out[i * k + row.slice(i * k, i * k + k).indexOf(m)] = 1;
  });
  return out;
}

const ROWS = [
  [-3, -1, 0, 2, 5, -0.5, 1e-3, -1e-3, 4, 4.5, -2, -2.5],
  [0, 0.25, -7, -6, 1, 3, 2, -4, 0.5, 0.75, -1, 6],
];

describe.each(BACKENDS)('Maxout on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each([1, 2, 3, 4, 6, 12])('forward takes the max of consecutive groups of %i', (k) => {
    const y = maxout({ pieces: k }).apply(tf.tensor2d(ROWS)) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([2, 12 / k]);
    // float32 holds the maxima exactly as rounded inputs: compare with the rounded values, no tolerance.
    expectClose(y.dataSync(), ROWS.flatMap((r) => formula(r, k)).map(Math.fround), 0, 0);
  });

  it.each([2, 3])('input gradient is 1 at each group maximum and 0 elsewhere, k = %i', (k) => {
    const layer = maxout({ pieces: k });
    const g = tf.grad((x: tf.Tensor) => (layer.apply(x) as tf.Tensor).sum())(tf.tensor2d(ROWS));
    expectClose(g.dataSync(), ROWS.flatMap((r) => gradient(r, k)), 0, 0);
  });

  it.each([2, 3])('is exact for values of very different magnitude (max(-0.5, -1e-30) = -1e-30), k = %i', (k) => {
    const row = [-0.5, -1e-30, 1e-30, 0.75, -1e-20, -3].map(Math.fround);
    const layer = maxout({ pieces: k });
    const x = tf.tensor2d([row]);
    expectClose((layer.apply(x) as tf.Tensor).dataSync(), formula(row, k), 0, 0);
    const g = tf.grad((v: tf.Tensor) => (layer.apply(v) as tf.Tensor).sum())(x);
    expectClose(g.dataSync(), gradient(row, k), 0, 0);
  });

  it('groups along the last axis of rank-3 inputs and casts int32 to float32', () => {
    const xs = [1, 5, 2, 2, -1, -3, 0, 7];
    const y = maxout().apply(tf.tensor3d(xs, [1, 2, 4], 'int32')) as tf.Tensor;
    expect(y.dtype).toBe('float32');
    expect(y.shape).toEqual([1, 2, 2]);
    expectClose(y.dataSync(), [5, 2, -1, 7], 0, 0);
  });

  it('declares the shrunk output shape, symbolically too, and has no weights', () => {
    const layer = maxout({ pieces: 4 });
    expect(layer.computeOutputShape([null, 512])).toEqual([null, 128]);
    expect(layer.computeOutputShape([null, 3, null])).toEqual([null, 3, null]);
    const out = layer.apply(tf.input({ shape: [5, 8] })) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, 5, 2]);
    expect(layer.weights).toHaveLength(0);
  });

  it('is usable after Dense(512) in the reference MLP through the registry: 256 units of 2 pieces', async () => {
    const acts = await expectUsableInReferenceMlp('maxout', false);
    expect(acts.map((a) => a.outputShape)).toEqual([
      [null, 256],
      [null, 256],
    ]);
  });
});

describe('Maxout arguments and shapes', () => {
  it.each([
    [{ pieces: 0 }, /Maxout: pieces must be a finite integer >= 1 and <= 1024, got 0\./],
    [{ pieces: 1.5 }, /pieces must be a finite integer >= 1 and <= 1024, got 1.5/],
    [{ pieces: '2' }, /got "2"/],
    [{ k: 2 }, /Maxout: unknown argument 'k'/],
  ])('rejects %o', (args, message) => {
    expect(() => maxout(args as never)).toThrow(message);
  });

  it('names both numbers when the last dimension is not a multiple of pieces', () => {
    expect(() => maxout({ pieces: 3 }).apply(tf.input({ shape: [10] }))).toThrow(
      /Maxout: the last input dimension \(10\) must be a multiple of pieces \(3\); use 12 or 9 units/,
    );
    expect(() => maxout({ pieces: 2 }).apply(tf.zeros([2, 7]))).toThrow(/\(7\) must be a multiple of pieces \(2\)/);
    expect(() => maxout({ pieces: 4 }).computeOutputShape([null, 2])).toThrow(/\(2\) must be a multiple of pieces \(4\); use 4 or 4 units/);
  });

  it('round-trips pieces through getConfig', () => {
    const config = maxout({ pieces: 5 }).getConfig();
    expect(config.pieces).toBe(5);
    expect((Maxout.fromConfig(Maxout, config) as Maxout).getConfig()).toEqual(config);
    expect(maxout().getConfig().pieces).toBe(2);
  });
});

describeLayerContract('Maxout', { create: () => maxout({ pieces: 3 }), inputShape: [2, 6], outputShape: [2, 2] });
