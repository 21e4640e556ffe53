import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { arelu, DEAD_FRACTION_KEY, DeadUnitMonitor, deadUnitFractions, deadUnitMonitor } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { uniform } from '../helpers/numeric.js';

const IN = 4;

/**
 * dense (bias -10 on units 0-3, +10 on 4-7; |x·W| <= 4) -> ReLU: exactly half dead;
 * dense (bias +10, |x·W| < 2) -> AReLU: never dead; softmax head. Mean dead fraction 0.25.
 */
function model(): tf.Sequential {
  const m = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IN], units: 8, name: 'm_d1' }),
      tf.layers.reLU({ name: 'm_relu' }),
      tf.layers.dense({ units: 6, name: 'm_d2' }),
      arelu({ name: 'm_arelu' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'm_out' }),
    ],
  });
  const bias1 = Array.from({ length: 8 }, (_, j) => (j < 4 ? -10 : 10));
  m.getLayer('m_d1').setWeights([tf.tensor2d(uniform(IN * 8, -1, 1, 1), [IN, 8]), tf.tensor1d(bias1)]);
  m.getLayer('m_d2').setWeights([tf.tensor2d(uniform(8 * 6, -1 / 8, 1 / 8, 2), [8, 6]), tf.fill([6], 10)]);
  // Learning rate 0: the weights, hence the fractions, stay as set.
  m.compile({ optimizer: tf.train.sgd(0), loss: 'categoricalCrossentropy' });
  return m;
}

const xs = () => tf.tensor2d(uniform(40 * IN, -1, 1, 3), [40, IN]);
const ys = () => tf.oneHot(tf.tensor1d(Array.from({ length: 40 }, (_, i) => i % 3), 'int32'), 3);

describe.each(BACKENDS)('DeadUnitMonitor on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it("adds dead_fraction to the epoch logs, and tfjs' History keeps it", async () => {
    const m = model();
    const monitor = deadUnitMonitor({ inputs: xs() });
    const seen: unknown[] = [];
    const after = new tf.CustomCallback({ onEpochEnd: (_e, logs) => void seen.push(logs?.[DEAD_FRACTION_KEY]) });
    const history = await m.fit(xs(), ys(), { epochs: 3, batchSize: 8, verbose: 0, callbacks: [monitor, after] });
    expect(DEAD_FRACTION_KEY).toBe('dead_fraction');
    expect(history.history.dead_fraction).toEqual([0.25, 0.25, 0.25]);
    expect(seen).toEqual([0.25, 0.25, 0.25]);
    expect(monitor.history).toEqual([0, 1, 2].map((epoch) => ({ epoch, fractions: { m_relu: 0.5, m_arelu: 0 }, mean: 0.25 })));
  });

  it('serves two models fitted one after the other, and the same model fitted twice', async () => {
    const monitor = deadUnitMonitor({ inputs: xs() });
    const first = model();
    const second = model();
    // The second model's ReLU units all get bias +10: none dead, mean 0.
    second.getLayer('m_d1').setWeights([tf.tensor2d(uniform(IN * 8, -1, 1, 1), [IN, 8]), tf.fill([8], 10)]);
    const fit = (m: tf.LayersModel) => m.fit(xs(), ys(), { epochs: 1, verbose: 0, callbacks: [monitor] });
    const histories = [await fit(first), await fit(second), await fit(first)];
    expect(histories.map((h) => h.history.dead_fraction)).toEqual([[0.25], [0], [0.25]]);
    expect(monitor.history.map((r) => r.fractions)).toEqual([
      { m_relu: 0.5, m_arelu: 0 },
      { m_relu: 0, m_arelu: 0 },
      { m_relu: 0.5, m_arelu: 0 },
    ]);
  });

  it('is not seen by callbacks listed before it', async () => {
    const m = model();
    const seen: unknown[] = [];
    const before = new tf.CustomCallback({ onEpochEnd: (_e, logs) => void seen.push(logs?.[DEAD_FRACTION_KEY]) });
    await m.fit(xs(), ys(), { epochs: 1, verbose: 0, callbacks: [before, deadUnitMonitor({ inputs: xs() })] });
    expect(seen).toEqual([undefined]);
  });

  it('records what deadUnitFractions gives after each epoch of real training', async () => {
    const m = model();
    m.compile({ optimizer: tf.train.sgd(2), loss: 'categoricalCrossentropy' });
    const probe = xs();
    const expected: Array<Record<string, number>> = [];
    // Listed after the monitor: it measures the same weights the monitor just measured.
    const check = new tf.CustomCallback({ onEpochEnd: async () => void expected.push(await deadUnitFractions(m, probe)) });
    const monitor = deadUnitMonitor({ inputs: probe, batchSize: 7 });
    await m.fit(xs(), ys(), { epochs: 3, batchSize: 8, verbose: 0, callbacks: [monitor, check] });
    expect(monitor.history.map((r) => r.fractions)).toEqual(expected);
    for (const r of monitor.history) expect(r.mean).toBeCloseTo((r.fractions.m_relu + r.fractions.m_arelu) / 2, 12);
  });

  it('measures every `every` epochs and writes NaN in between so History stays aligned', async () => {
    const m = model();
    const monitor = deadUnitMonitor({ inputs: xs(), every: 2 });
    const history = await m.fit(xs(), ys(), { epochs: 5, verbose: 0, callbacks: [monitor] });
    expect(history.history.dead_fraction).toEqual([NaN, 0.25, NaN, 0.25, NaN]);
    expect(monitor.history.map((r) => r.epoch)).toEqual([1, 3]);
  });

  it('stops fit before training when the probe inputs do not fit the model', async () => {
    const m = model();
    const before = m.getWeights()[0].dataSync().slice();
    await expect(
      m.fit(xs(), ys(), { epochs: 1, verbose: 0, callbacks: [deadUnitMonitor({ inputs: tf.zeros([10, 5]) })] }),
    ).rejects.toThrow('inputs must have shape [null, 4] (null: any size, the same number of samples in every input), got [10, 5].');
    expect(m.getWeights()[0].dataSync()).toEqual(before);
  });

  it('warns once and adds nothing for a model without activation layers', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [IN], units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const warnings: string[] = [];
    const monitor = deadUnitMonitor({ inputs: xs(), warn: (w) => warnings.push(w) });
    const history = await m.fit(xs(), ys(), { epochs: 2, verbose: 0, callbacks: [monitor] });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('has no activation layer to measure');
    expect(history.history.dead_fraction).toBeUndefined();
    expect(monitor.history).toEqual([]);
  });

  it('leaves no tensor behind over a fit', async () => {
    const m = model();
    const probe = xs();
    const x = xs();
    const y = ys();
    await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [deadUnitMonitor({ inputs: probe })] }); // warm-up
    const count = tf.memory().numTensors;
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [deadUnitMonitor({ inputs: probe, batchSize: 9 })] });
    expect(tf.memory().numTensors).toBe(count);
  });
});

describe('deadUnitMonitor arguments', () => {
  it('rejects bad arguments, naming them', () => {
    const x = tf.zeros([2, IN]);
    expect(deadUnitMonitor({ inputs: x })).toBeInstanceOf(DeadUnitMonitor);
    expect(deadUnitMonitor({ inputs: x }).every).toBe(1);
    expect(deadUnitMonitor({ inputs: x }).batchSize).toBe(1000);
    expect(() => deadUnitMonitor({ inputs: x, every: 0 })).toThrow('deadUnitMonitor: every must be a finite integer >= 1, got 0.');
    expect(() => deadUnitMonitor({ inputs: x, every: 1.5 })).toThrow('every must be a finite integer >= 1, got 1.5.');
    expect(() => deadUnitMonitor({ inputs: x, batchSize: -1 })).toThrow('batchSize must be a finite integer >= 1, got -1.');
    expect(() => deadUnitMonitor({ inputs: [1, 2] as unknown as tf.Tensor })).toThrow(
      'deadUnitMonitor: inputs must be a tf.Tensor (or one per model input), got [1, 2].',
    );
    expect(() => deadUnitMonitor({} as { inputs: tf.Tensor })).toThrow('inputs must be a tf.Tensor');
    expect(() => deadUnitMonitor({ inputs: x, evry: 2 } as unknown as { inputs: tf.Tensor })).toThrow(
      "deadUnitMonitor: unknown argument 'evry'. Allowed: inputs, every, batchSize, warn.",
    );
  });
});
