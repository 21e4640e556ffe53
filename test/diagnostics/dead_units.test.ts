import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  activationLayerClassNames,
  arelu,
  deadUnitFractions,
  findActivationSites,
  registerActivationLayerClass,
} from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { leakedTensors, uniform } from '../helpers/numeric.js';

/** x in [-1, 1]^4 with |W| <= 1, so |x·W| <= 4 and a bias of ±10 fixes the sign of x·W + b. */
const IN = 4;
const UNITS = 8;
const inputs = (n: number, seed: number) => tf.tensor2d(uniform(n * IN, -1, 1, seed), [n, IN]);

/** A kernel with entries in [-1, 1] and biases -10 for the first half of the units, +10 for the rest. */
function halfDeadWeights(units: number, inDim: number, seed: number): tf.Tensor[] {
  const bias = Array.from({ length: units }, (_, j) => (j < units / 2 ? -10 : 10));
  return [tf.tensor2d(uniform(inDim * units, -1, 1, seed), [inDim, units]), tf.tensor1d(bias)];
}

/** Biases +10 everywhere: every unit fires for every input. */
function alwaysFiringWeights(units: number, inDim: number, seed: number): tf.Tensor[] {
  return [tf.tensor2d(uniform(inDim * units, -1 / inDim, 1 / inDim, seed), [inDim, units]), tf.fill([units], 10)];
}

/**
 * dense (linear, half the units always negative) -> ReLU -> dense (linear, always positive)
 * -> AReLU -> dense softmax. Activation inputs of the second block are in [0, 14] per unit
 * times weights bounded by 1/8 with bias 10: always positive.
 */
function referenceModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IN], units: UNITS, name: 'd1' }),
      tf.layers.reLU({ name: 'relu1' }),
      tf.layers.dense({ units: 6, name: 'd2' }),
      arelu({ name: 'arelu2' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
  });
  model.getLayer('d1').setWeights(halfDeadWeights(UNITS, IN, 11));
  model.getLayer('d2').setWeights(alwaysFiringWeights(6, UNITS, 12));
  return model;
}

/** The dead fraction of one Dense-like pre-activation, in plain JS float64: units with max_i z_ij <= 0. */
function jsDeadFraction(x: number[][], kernel: number[][], bias: number[]): number {
  let dead = 0;
  for (let j = 0; j < bias.length; j++) {
    let max = -Infinity;
    for (const row of x) {
      let z = bias[j];
      for (let k = 0; k < row.length; k++) z += row[k] * kernel[k][j];
      max = Math.max(max, z);
    }
    if (max <= 0) dead++;
  }
  return dead / bias.length;
}

describe.each(BACKENDS)('deadUnitFractions on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('gives exactly 0.5 for a layer whose biases keep half its units negative, 0 for one that always fires', async () => {
    const model = referenceModel();
    const result = await deadUnitFractions(model, inputs(200, 1));
    expect(result).toEqual({ relu1: 0.5, arelu2: 0 });
  });

  it('measures Dense layers with a built-in activation from x·W + b, and tfjs Activation layers', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [IN], units: UNITS, activation: 'relu', name: 'dense_relu' }),
        tf.layers.dense({ units: 6, activation: 'tanh', name: 'dense_tanh' }),
        tf.layers.activation({ activation: 'relu', name: 'act_relu' }),
        tf.layers.activation({ activation: 'linear', name: 'act_linear' }),
        tf.layers.dense({ units: 3, name: 'dense_linear' }),
        tf.layers.activation({ activation: 'softmax', name: 'act_softmax' }),
      ],
    });
    model.getLayer('dense_relu').setWeights(halfDeadWeights(UNITS, IN, 21));
    // ReLU outputs are in [0, 14]; kernel in [-1/8, 1/8] and bias 10 keep x·W + b in [8, 12].
    model.getLayer('dense_tanh').setWeights(alwaysFiringWeights(6, UNITS, 22));
    const result = await deadUnitFractions(model, inputs(100, 2));
    // act_relu sees tanh(8..12) > 0: never dead. Linear and softmax layers are not measured.
    expect(result).toEqual({ dense_relu: 0.5, dense_tanh: 0, act_relu: 0 });
    expect(Object.keys(result)).toEqual(['dense_relu', 'dense_tanh', 'act_relu']);
  });

  it('reads the pre-activation, not the output: sigmoid outputs are positive, its dead units are not', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [IN], units: UNITS, activation: 'sigmoid', name: 'dense_sigmoid' }),
        tf.layers.dense({ units: UNITS, name: 'lin' }),
        tf.layers.activation({ activation: 'sigmoid', name: 'act_sigmoid' }),
      ],
    });
    model.getLayer('dense_sigmoid').setWeights(halfDeadWeights(UNITS, IN, 23));
    // Sigmoid outputs in (0, 1) times a kernel in [-1/8, 1/8]: |x·W| < 1, bias ±10 decides.
    const [kernel] = alwaysFiringWeights(UNITS, UNITS, 24);
    model.getLayer('lin').setWeights([kernel, halfDeadWeights(UNITS, UNITS, 25)[1]]);
    expect(await deadUnitFractions(model, inputs(60, 3))).toEqual({ dense_sigmoid: 0.5, act_sigmoid: 0.5 });
  });

  it('agrees with a plain-JS float64 count on random weights and biases', async () => {
    const n = 30;
    const units = 40;
    const x = Array.from({ length: n }, (_, i) => uniform(IN, -1, 1, 100 + i));
    const kernelFlat = uniform(IN * units, -1, 1, 31);
    // Biases spread over [-3, 1]: some units always negative, some sometimes positive.
    const bias = uniform(units, -3, 1, 32);
    const kernel = Array.from({ length: IN }, (_, k) => kernelFlat.slice(k * units, (k + 1) * units));
    const expected = jsDeadFraction(x, kernel, bias);
    expect(expected).toBeGreaterThan(0.1);
    expect(expected).toBeLessThan(0.9);
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [IN], units, activation: 'relu', name: 'd' })],
    });
    model.setWeights([tf.tensor2d(kernelFlat, [IN, units]), tf.tensor1d(bias)]);
    const xs = tf.tensor2d(x);
    for (const batchSize of [1, 7, 30, 1000]) {
      expect(await deadUnitFractions(model, xs, { batchSize })).toEqual({ d: expected });
    }
  });

  it('treats a unit that fires for one sample only as alive, and one at exactly 0 as dead', async () => {
    const model = tf.sequential({
      layers: [tf.layers.reLU({ inputShape: [3], name: 'r' })],
    });
    // Unit 0 is positive in the last sample only; unit 1 is 0 everywhere; unit 2 is negative.
    const xs = tf.tensor2d([
      [-1, 0, -2],
      [-3, 0, -1e-6],
      [1e-6, 0, -5],
    ]);
    expect(await deadUnitFractions(model, xs, { batchSize: 2 })).toEqual({ r: 2 / 3 });
  });

  it('takes conv channels as units: alive if any pixel of any sample is positive', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [3, 3, 1], filters: 4, kernelSize: 1, activation: 'relu', name: 'conv' }),
      ],
    });
    // 1x1 kernel 1 for every channel; biases: fires where pixel > 0.5, > 0.95, > 2 (never), > 5 (never).
    model.setWeights([tf.ones([1, 1, 1, 4]), tf.tensor1d([-0.5, -0.95, -2, -5])]);
    const pixels = new Array(2 * 9).fill(0);
    pixels[9 + 4] = 1; // one pixel of the second sample
    const xs = tf.tensor4d(pixels, [2, 3, 3, 1]);
    expect(await deadUnitFractions(model, xs)).toEqual({ conv: 0.5 });
  });

  // For ReLU a unit is dead exactly when its output is 0 everywhere: an independent check of the
  // linear copies made for every layer type with a built-in activation.
  it.each([
    ['Conv1D', [6, 3], () => tf.layers.conv1d({ filters: 5, kernelSize: 2, activation: 'relu' }), -1],
    ['Conv2D', [5, 5, 2], () => tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu' }), -1],
    ['Conv2D channelsFirst', [2, 5, 5], () => tf.layers.conv2d({ filters: 6, kernelSize: 3, dataFormat: 'channelsFirst', activation: 'relu' }), 1],
    ['Conv3D', [3, 3, 3, 1], () => tf.layers.conv3d({ filters: 4, kernelSize: 2, activation: 'relu' }), -1],
    ['Conv2DTranspose', [3, 3, 2], () => tf.layers.conv2dTranspose({ filters: 5, kernelSize: 2, activation: 'relu' }), -1],
    ['SeparableConv2D', [4, 4, 2], () => tf.layers.separableConv2d({ filters: 5, kernelSize: 2, activation: 'relu' }), -1],
    ['DepthwiseConv2D', [4, 4, 3], () => tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, activation: 'relu' }), -1],
  ] as Array<[string, number[], () => tf.layers.Layer, number]>)(
    'measures %s with a built-in ReLU: dead exactly where the output is 0 everywhere',
    async (_name, shape, create, axis) => {
      const layer = create();
      const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: shape }), layer] });
      // Seeded weights in [-1, 1]; biases -100 (dead), +100 (alive), 0 (up to the data) in turn.
      layer.setWeights(
        layer.getWeights().map((w, i, all) =>
          i === all.length - 1
            ? tf.tensor1d(Array.from({ length: w.size }, (_, j) => [-100, 100, 0][j % 3]))
            : tf.tensor(uniform(w.size, -1, 1, 50 + i), w.shape),
        ),
      );
      const n = 6;
      const xs = tf.tensor(uniform(n * shape.reduce((a, b) => a * b, 1), -1, 1, 9), [n, ...shape]);
      const y = model.predict(xs) as tf.Tensor;
      const a = axis < 0 ? y.rank + axis : axis;
      const maxima = Array.from(y.max([...Array(y.rank).keys()].filter((i) => i !== a)).dataSync());
      const expected = maxima.filter((m) => m === 0).length / maxima.length;
      expect(expected).toBeGreaterThan(0);
      expect(expected).toBeLessThan(1);
      expect(await deadUnitFractions(model, xs, { batchSize: 4 })).toEqual({ [layer.name]: expected });
    },
  );

  it('pools a Dense layer over time steps: a unit is alive if it fires at any step', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3, 1], units: 3, activation: 'relu', name: 'seq_d' })],
    });
    // z = x + b with b = [0, -1, -5]: unit 0 fires where x > 0, unit 1 where x > 1, unit 2 never here.
    model.setWeights([tf.ones([1, 3]), tf.tensor1d([0, -1, -5])]);
    const xs = tf.tensor3d([[[-1], [-2], [0.5]], [[-1], [-1], [-1]]]);
    expect(await deadUnitFractions(model, xs)).toEqual({ seq_d: 2 / 3 });
  });

  it('measures functional models, nested models and shared layers', async () => {
    const input = tf.input({ shape: [IN] });
    const d1 = tf.layers.dense({ units: UNITS, name: 'f_d1' });
    const shared = tf.layers.reLU({ name: 'f_shared_relu' });
    const branchA = shared.apply(d1.apply(input)) as tf.SymbolicTensor;
    // The same ReLU again on -(d1 output): the always-negative units are now always positive.
    const negated = tf.layers.dense({ units: UNITS, name: 'f_neg', useBias: false }).apply(d1.apply(input));
    const branchB = shared.apply(negated) as tf.SymbolicTensor;
    const inner = tf.sequential({
      name: 'inner',
      layers: [tf.layers.dense({ inputShape: [UNITS], units: 4, name: 'inner_d' }), tf.layers.leakyReLU({ name: 'inner_leaky' })],
    });
    const out = inner.apply(branchA) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [out, branchB] });
    d1.setWeights(halfDeadWeights(UNITS, IN, 41));
    model.getLayer('f_neg').setWeights([tf.eye(UNITS).neg()]);
    // inner_d: bias -10 everywhere, inputs in [0, 14] times kernel in [-1/8, 1/8]: always negative.
    inner.getLayer('inner_d').setWeights([tf.tensor2d(uniform(UNITS * 4, -1 / 8, 1 / 8, 42), [UNITS, 4]), tf.fill([4], -10)]);
    const result = await deadUnitFractions(model, inputs(50, 4));
    // Shared ReLU: units 0-3 fire in the second call, 4-7 in the first: none dead.
    expect(result).toEqual({ f_shared_relu: 0, 'inner/inner_leaky': 1 });
  });

  it('reports a shared layer per call when its calls have different widths', async () => {
    const input = tf.input({ shape: [IN] });
    const shared = tf.layers.reLU({ name: 'w_shared' });
    const a = shared.apply(input) as tf.SymbolicTensor;
    const b = shared.apply(tf.layers.dense({ units: 2, name: 'w_d', useBias: false }).apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: [a, b] });
    model.getLayer('w_d').setWeights([tf.tensor2d([[0, 0], [0, 0], [0, 0], [0, 0]])]);
    const xs = tf.tensor2d([[1, -1, 1, -1], [1, -1, -1, -1]]);
    expect(await deadUnitFractions(model, xs)).toEqual({ 'w_shared:0': 0.5, 'w_shared:1': 1 });
  });

  it('returns {} for a model with no activation layer', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [IN], units: 3 }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    expect(await deadUnitFractions(model, inputs(5, 5))).toEqual({});
    expect(findActivationSites(model)).toEqual([]);
  });

  it('leaves no tensor behind and does not change the model', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [IN], units: UNITS, activation: 'relu', name: 'leak_d' }),
        tf.layers.reLU({ name: 'leak_relu' }),
      ],
    });
    const xs = inputs(25, 6);
    const before = (model.predict(xs) as tf.Tensor).dataSync().slice();
    await deadUnitFractions(model, xs, { batchSize: 4 }); // warm-up: registry lookup, kernels
    const count = tf.memory().numTensors;
    const variables = tf.engine().registeredVariables;
    const nVariables = Object.keys(variables).length;
    await deadUnitFractions(model, xs, { batchSize: 4 });
    await deadUnitFractions(model, xs, { batchSize: 4 });
    expect(tf.memory().numTensors).toBe(count);
    expect(Object.keys(tf.engine().registeredVariables).length).toBe(nVariables);
    expect(model.getLayer('leak_d').getConfig().activation).toBe('relu');
    expect((model.predict(xs) as tf.Tensor).dataSync()).toEqual(before);
    expect(leakedTensors(() => findActivationSites(model))).toBe(0);
  });

  it('rejects inputs of the wrong shape, naming the expected and actual shapes', async () => {
    const model = referenceModel();
    await expect(deadUnitFractions(model, tf.zeros([5, 3]))).rejects.toThrow(
      'inputs must have shape [null, 4] (null: any size, the same number of samples in every input), got [5, 3].',
    );
    await expect(deadUnitFractions(model, tf.zeros([5, 4, 1]))).rejects.toThrow('got [5, 4, 1]');
    await expect(deadUnitFractions(model, [tf.zeros([5, 4]), tf.zeros([5, 4])])).rejects.toThrow(
      'inputs must be one tf.Tensor of shape [null, 4] (null: any size), got [[5, 4], [5, 4]].',
    );
    await expect(deadUnitFractions(model, tf.zeros([0, 4]))).rejects.toThrow('inputs hold no sample (shape [0, 4])');
    const gone = tf.zeros([5, 4]);
    gone.dispose();
    await expect(deadUnitFractions(model, gone)).rejects.toThrow('deadUnitFractions: inputs is a disposed tensor; pass tensors that are still alive.');
    await expect(deadUnitFractions(model, inputs(5, 7), { batchSize: 0 })).rejects.toThrow(
      'batchSize must be a finite integer >= 1, got 0.',
    );
    await expect(deadUnitFractions(model, inputs(5, 7), { batchSize: 2.5 })).rejects.toThrow('got 2.5');
    await expect(
      deadUnitFractions(model, inputs(5, 7), { batchSise: 10 } as unknown as { batchSize: number }),
    ).rejects.toThrow("unknown option 'batchSise'");
    const unbuilt = tf.sequential();
    await expect(deadUnitFractions(unbuilt, inputs(5, 7))).rejects.toThrow('has no inputs yet');
  });
});

describe('which layers count', () => {
  it('lists tfjs activation layers and the registry classes', () => {
    const names = activationLayerClassNames();
    for (const cls of ['ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'AReLU']) expect(names).toContain(cls);
    expect(names).not.toContain('Activation');
    expect(names).not.toContain('Softmax');
    expect(names).not.toContain('Dense');
  });

  it('finds sites with their keys, kinds and unit counts', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [IN], units: 5, activation: 'elu', name: 's_d' }),
        tf.layers.prelu({ name: 's_prelu' }),
        tf.layers.reshape({ targetShape: [5, 1] }),
        tf.layers.conv1d({ filters: 2, kernelSize: 1, activation: 'sigmoid', name: 's_conv' }),
        tf.layers.activation({ activation: 'swish', name: 's_swish' }),
      ],
    });
    expect(findActivationSites(model).map(({ key, kind, unitAxis, units }) => ({ key, kind, unitAxis, units }))).toEqual([
      { key: 's_d', kind: 'builtin', unitAxis: -1, units: 5 },
      { key: 's_prelu', kind: 'input', unitAxis: -1, units: 5 },
      { key: 's_conv', kind: 'builtin', unitAxis: -1, units: 2 },
      { key: 's_swish', kind: 'input', unitAxis: -1, units: 2 },
    ]);
  });

  it('measures a custom class once it is registered', async () => {
    class Cube extends tf.layers.Layer {
      static className = 'DeadUnitTestCube';
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.tidy(() => tf.pow(Array.isArray(x) ? x[0] : x, 3));
      }
    }
    const model = tf.sequential({ layers: [new Cube({ inputShape: [2], name: 'cube' })] });
    const xs = tf.tensor2d([[1, -1], [2, -3]]);
    expect(await deadUnitFractions(model, xs)).toEqual({});
    expect(() => registerActivationLayerClass('')).toThrow('className must be a non-empty string, got "".');
    registerActivationLayerClass('DeadUnitTestCube');
    expect(await deadUnitFractions(model, xs)).toEqual({ cube: 0.5 });
  });
});
