import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, useBackend } from './backends.js';
import { expectClose, finiteDifference, leakedTensors, uniform } from './numeric.js';
import { saveAndLoad } from './save_load.js';

/** What the generic layer contract needs to know about one layer. */
export interface LayerContractCase {
  /** Builds a fresh, unbuilt layer. Called many times. */
  create: () => tf.layers.Layer;
  /** The per-sample input shape (no batch dimension), e.g. [6] or [3, 4]. */
  inputShape: number[];
  /** The per-sample output shape when it differs from the input shape (Maxout). */
  outputShape?: number[];
  /** Range the random inputs are drawn from. Default [-3, 3]. */
  inputRange?: [number, number];
  /**
   * Input values where the function has a kink; sampled inputs are kept 5 steps away from them
   * so that a finite difference never straddles one. Default [0].
   */
  kinks?: number[];
  /** Finite-difference step. Default 1e-2. */
  step?: number;
  /** Tolerances of the finite-difference comparison. Default atol 3e-3, rtol 2e-2. */
  gradTolerance?: { atol: number; rtol: number };
  /** Extra kwargs for apply (e.g. `{training: false}` for RReLU's deterministic path). */
  kwargs?: Record<string, unknown>;
  /** Set for layers whose training-mode output is random (RReLU): the gradient check then uses inference mode. */
  randomInTraining?: boolean;
}

const BATCH = 3;

function sampleInput(c: LayerContractCase, seed: number): tf.Tensor {
  const shape = [BATCH, ...c.inputShape];
  const n = shape.reduce((a, b) => a * b, 1);
  const [lo, hi] = c.inputRange ?? [-3, 3];
  const gap = 5 * (c.step ?? 1e-2);
  const kinks = c.kinks ?? [0];
  const values = uniform(n, lo, hi, seed).map((v) => {
    for (const k of kinks) if (Math.abs(v - k) < gap) return v + (v >= k ? gap : -gap);
    return v;
  });
  return tf.tensor(values, shape);
}

function builtLayer(c: LayerContractCase): tf.layers.Layer {
  const layer = c.create();
  layer.apply(tf.zeros([1, ...c.inputShape]));
  return layer;
}

/**
 * The checks every layer of the library passes, on the cpu and wasm backends:
 * symbolic shape, gradients w.r.t. the input and every trainable weight against central finite
 * differences, learnable weights change under one optimizer step and non-trainable ones do not,
 * getConfig/fromConfig round trip, save/load through tf.io memory handlers with identical
 * predictions and literal class name in the JSON, and no tensor left behind per call.
 */
export function describeLayerContract(title: string, c: LayerContractCase): void {
  describe.each(BACKENDS)(`${title}: layer contract on %s`, (backend) => {
    beforeAll(() => useBackend(backend));
    const kwargs = c.randomInTraining ? { ...c.kwargs, training: false } : c.kwargs ?? {};

    it('gives the symbolic output shape through tf.input', () => {
      const input = tf.input({ shape: c.inputShape });
      const out = c.create().apply(input) as tf.SymbolicTensor;
      expect(out.shape).toEqual([null, ...(c.outputShape ?? c.inputShape)]);
    });

    it('computes the concrete output shape it declares, in float32', () => {
      const y = builtLayer(c).apply(sampleInput(c, 1), kwargs) as tf.Tensor;
      expect(y.shape).toEqual([BATCH, ...(c.outputShape ?? c.inputShape)]);
      expect(y.dtype).toBe('float32');
    });

    it('has input gradients equal to central finite differences', () => {
      const layer = builtLayer(c);
      const x = sampleInput(c, 2);
      const outShape = [BATCH, ...(c.outputShape ?? c.inputShape)];
      const r = tf.tensor(uniform(outShape.reduce((a, b) => a * b, 1), -1, 1, 3), outShape);
      const f = (t: tf.Tensor) => (layer.apply(t, kwargs) as tf.Tensor).mul(r).sum();
      const analytic = tf.grad(f)(x).dataSync();
      const numeric = finiteDifference(
        (v) => tf.tidy(() => f(tf.tensor(v, x.shape)).dataSync()[0]),
        Array.from(x.dataSync()),
        c.step ?? 1e-2,
      );
      const tol = c.gradTolerance ?? { atol: 3e-3, rtol: 2e-2 };
      expectClose(analytic, numeric, tol.atol, tol.rtol);
    });

    it('has gradients for every trainable weight equal to central finite differences', () => {
      const layer = builtLayer(c);
      const x = sampleInput(c, 4);
      const outShape = [BATCH, ...(c.outputShape ?? c.inputShape)];
      const r = tf.tensor(uniform(outShape.reduce((a, b) => a * b, 1), -1, 1, 5), outShape);
      const tol = c.gradTolerance ?? { atol: 3e-3, rtol: 2e-2 };
      for (const weight of layer.trainableWeights) {
        const variable = weight.read() as tf.Variable;
        const f = () => (layer.apply(x, kwargs) as tf.Tensor).mul(r).sum() as tf.Scalar;
        const { grads } = tf.variableGrads(f, [variable]);
        const analytic = grads[variable.name].dataSync();
        const original = Array.from(variable.dataSync());
        const numeric = finiteDifference(
          (v) => {
            weight.write(tf.tensor(v, variable.shape));
            return tf.tidy(() => f().dataSync()[0]);
          },
          original,
          c.step ?? 1e-2,
        );
        weight.write(tf.tensor(original, variable.shape));
        expect.soft(analytic.length, weight.name).toBe(original.length);
        expectClose(analytic, numeric, tol.atol, tol.rtol);
      }
    });

    it('changes its trainable weights under one optimizer step and leaves the others alone', () => {
      const layer = builtLayer(c);
      const x = sampleInput(c, 6);
      const before = layer.weights.map((w) => Array.from(w.read().dataSync()));
      const trainable = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      if (trainable.length > 0) {
        tf.train.sgd(0.1).minimize(
          () => (layer.apply(x, kwargs) as tf.Tensor).square().sum() as tf.Scalar,
          false,
          trainable,
        );
      }
      layer.weights.forEach((w, i) => {
        const after = Array.from(w.read().dataSync());
        if (w.trainable) expect(after, `${w.name} should change`).not.toEqual(before[i]);
        else expect(after, `${w.name} should not change`).toEqual(before[i]);
      });
    });

    it('round-trips getConfig/fromConfig', () => {
      const layer = c.create();
      const config = layer.getConfig();
      const cls = layer.constructor as unknown as tf.serialization.SerializableConstructor<tf.layers.Layer>;
      const copy = cls.fromConfig(cls, config);
      expect(copy.getConfig()).toEqual(config);
      expect(copy.getClassName()).toBe(layer.getClassName());
    });

    it('saves and loads through tf.io with identical predictions and its literal class name', async () => {
      const layer = c.create();
      const model = tf.sequential({ layers: [tf.layers.inputLayer({ inputShape: c.inputShape }), layer] });
      // Move every weight off its initial value, so that a load that re-initializes is caught.
      for (const w of layer.weights) w.write(w.read().add(tf.randomUniform(w.read().shape, 0.01, 0.05, 'float32', 9)));
      const { loaded, topology } = await saveAndLoad(model);
      expect(topology).toContain(`"class_name":"${layer.getClassName()}"`);
      const x = sampleInput(c, 7);
      const expected = (model.predict(x) as tf.Tensor).dataSync();
      expectClose((loaded.predict(x) as tf.Tensor).dataSync(), expected, 0, 0);
    });

    it('leaves no tensor behind per call', () => {
      const layer = builtLayer(c);
      const x = sampleInput(c, 8);
      (layer.apply(x, kwargs) as tf.Tensor).dispose();
      expect(
        leakedTensors(() => {
          for (let i = 0; i < 10; i++) (layer.apply(x, kwargs) as tf.Tensor).dispose();
        }),
      ).toBe(0);
    });
  });
}
