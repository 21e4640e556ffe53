/**
 * Save and load of a model holding every registry activation, checked across processes:
 * - in memory (tf.io.withSaveHandler / tf.io.fromMemory), and as model.json + weights.bin
 *   written by hand into a temporary folder, then loaded by a FRESH node process that imports
 *   only tfjs and the package (test/fixtures/predict_saved_model.ts): identical predictions on
 *   cpu and wasm;
 * - the same files in a fresh process that does not import the package: tfjs' "Unknown layer"
 *   error (the README says to import the package before loading);
 * - a minified build (tsup.config.ts with minify, ESM and CJS): the saved JSON holds the literal
 *   class names although the minifier renamed the classes, and the model loads back.
 * `file://` (tfjs-node's handler) is not exercised: tfjs-node is not installed here.
 */
import * as tf from '@tensorflow/tfjs';
import { execFile } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { library as tsupConfig } from '../tsup.config.js';
import { activationNames, AReLU, createActivation } from '../src/index.js';
import { useBackend } from './helpers/backends.js';
import { uniform } from './helpers/numeric.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** Runs `node --import tsx <script> ...args` from the repository root; never rejects. */
function node(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, maxBuffer: 1 << 24 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Input [6] -> Dense(6) -> every registry activation side by side -> concatenate -> Dense(4). */
function everyActivationModel(): tf.LayersModel {
  const input = tf.input({ shape: [6] });
  const dense = tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
  const hidden = dense.apply(input) as tf.SymbolicTensor;
  const branches = activationNames().map((name) => createActivation(name, { name: `act_${name.replace(/-/g, '_')}` }).apply(hidden) as tf.SymbolicTensor);
  const merged = tf.layers.concatenate().apply(branches) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 4, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(merged) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return artifacts as tf.io.ModelArtifacts;
}

describe('a model with every registry activation, saved and loaded in a fresh process', () => {
  const dir = tempDir('saved-model-');
  const x = { values: uniform(5 * 6, -3, 3, 17), shape: [5, 6] };
  const expected: Record<string, number[]> = {};
  let topology = '';
  let classNames: string[] = [];

  beforeAll(async () => {
    await useBackend('cpu');
    const model = everyActivationModel();
    classNames = model.layers.map((l) => l.getClassName());
    // Every weight off its initial value, so that a load that re-initializes shows; the AReLU
    // slope (a non-trainable weight) to a value the callback could have set.
    for (const layer of model.layers) {
      for (const w of layer.weights) w.write(tf.tidy(() => w.read().add(tf.randomUniform(w.shape as number[], 0.01, 0.05, 'float32', 3))));
    }
    (model.getLayer('act_arelu') as AReLU).setSlope(0.37);
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      expected[backend] = Array.from((model.predict(tf.tensor(x.values, x.shape)) as tf.Tensor).dataSync());
    }
    await useBackend('cpu');
    const artifacts = await saveToMemory(model);
    topology = JSON.stringify(artifacts.modelTopology);
    const memoryCopy = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expected.memory = Array.from((memoryCopy.predict(tf.tensor(x.values, x.shape)) as tf.Tensor).dataSync());
    writeFileSync(
      join(dir, 'model.json'),
      JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] }),
    );
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
    writeFileSync(join(dir, 'input.json'), JSON.stringify(x));
  });

  it('holds every layer under its literal class name, and loads back in memory with identical predictions', () => {
    for (const name of new Set(classNames)) expect(topology).toContain(`"class_name":"${name}"`);
    expect(classNames).toContain('AReLU');
    expect(expected.memory).toEqual(expected.cpu);
  });

  it('predicts identically on cpu and wasm in a fresh process that imports tfjs and the package', async () => {
    const { code, stdout, stderr } = await node('test/fixtures/predict_saved_model.ts', [dir, 'with-package']);
    expect(code, stderr.slice(-2000)).toBe(0);
    const got = JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, number[]>;
    expect(got.cpu).toEqual(expected.cpu);
    expect(got.wasm).toEqual(expected.wasm);
  });

  it("gives tfjs' Unknown layer error in a fresh process that does not import the package", async () => {
    const { code, stderr } = await node('test/fixtures/predict_saved_model.ts', [dir, 'without-package']);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/Unknown layer: AReLU\. This may be due to/);
  });
});

describe('a minified build', () => {
  const out = tempDir('minified-');
  const names = activationNames();
  let literal: string[] = [];

  beforeAll(async () => {
    // The package's own tsup config (ESM + CJS, tfjs external), minified, main entry only.
    await build({
      ...(tsupConfig as object),
      entry: { index: 'src/index.ts' },
      outDir: out,
      minify: true,
      // One entry needs no shared chunks; and tsup's CommonJS splitting (a sucrase pass over the
      // ESM chunks) emits invalid code ('...call(this);,') when combined with minify.
      splitting: false,
      dts: false,
      sourcemap: false,
      clean: true,
      silent: true,
      config: false,
    });
    // Resolve tfjs from the bundle's folder as from the repository.
    symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(out, 'node_modules'));
    writeFileSync(join(out, 'package.json'), '{"type": "module"}\n');
    literal = names.map((name) => createActivation(name).getClassName());
  });

  it.each([
    ['esm', 'index.js'],
    ['cjs', 'index.cjs'],
  ])('(%s) saves the literal class names, not the minified ones, and loads back', async (format, file) => {
    const { code, stdout, stderr } = await node('test/fixtures/minified_topology.ts', [join(out, file), format]);
    expect(code, stderr.slice(-2000)).toBe(0);
    const got = JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
      classNames: string[];
      constructorNames: Record<string, string>;
      samePredictions: boolean;
    };
    expect(got.classNames.slice(2, 2 + names.length)).toEqual(literal);
    // The minifier did rename the classes (else this test would prove nothing).
    expect(got.constructorNames.AReLU).not.toBe('AReLU');
    expect(got.constructorNames.PAU).not.toBe('PAU');
    expect(got.samePredictions).toBe(true);
  });
});
