/**
 * Performance benchmark (issue 5): `npm run bench:perf -- [options]`.
 *
 * Sections (all by default, in this order):
 *   layers    forward and forward+backward time of every activation layer of the library against
 *             its closest tfjs built-in layer and against ReLU, per backend and input shape
 *             (median of --reps after warm-up; the three alternate in every repetition)
 *   train     end-to-end model.fit throughput of the reference MLP with AReLU + lossAdaptiveSlope
 *             against the same MLP with tfjs' LeakyReLU, alternating rounds in one process
 *   pipeline  the examples' training routine (trainClassifier, progress bar, JSON record) against
 *             a bare model.fit
 *   memory    tf.memory() after 1, 5 and 20 epochs of a short run
 *   profile   which kernels take a training step's time on wasm
 *   settings  wasm without SIMD, with threads, and fit's yieldEvery
 *
 * Figures are printed as markdown tables (docs/performance.md quotes them); nothing is asserted.
 * The machine's load average is printed with every section: on a shared machine compare the
 * ratios (both sides measured alternately in one process), not absolute times across runs.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { optimizeWasmMatMul } from '../src/kernels/wasm_matmul.js';
import '../src/index.js';
import { LAYER_TABLE_HEADER, layerTableRow, OWN_LAYERS, timeLayer, type LayerTiming } from './perf_layers.js';
import { median } from './stats.js';
import { patchWasmThreadsForNode } from './wasm_threads_node.js';
import {
  benchEndToEnd,
  benchMemory,
  benchPipeline,
  compiledMlp,
  disposeMlp,
  fitSlice,
  profileStep,
  randomImages,
  timed,
  type Throughput,
} from './perf_train.js';

const SECTIONS = ['layers', 'train', 'pipeline', 'memory', 'profile', 'settings'] as const;
type Section = (typeof SECTIONS)[number];

const HELP = `npm run bench:perf -- [options]

  --sections LIST      comma-separated, from ${SECTIONS.join(', ')} (default: all)
  --backends LIST      backends for layers/train/memory: tensorflow, wasm, cpu (default: those that load)
  --layers LIST        registry names of the layers to time (default: all of the library's)
  --shapes LIST        input shapes for the layer timings (default 128x512,128x4096)
  --reps N             timed repetitions per layer timing, after 5 warm-up calls (default 15)
  --samples N          training samples per round on wasm/tensorflow (default 2560)
  --cpu-samples N      training samples per round on cpu (default 256)
  --epochs N           epochs per timed fit (default 1)
  --rounds N           alternating rounds of the train and pipeline sections (default 5)
  --json FILE          also write every figure as JSON
  -h, --help           this help`;

interface Options {
  sections: Section[];
  backends: string[] | null;
  layers: string[];
  shapes: number[][];
  reps: number;
  samples: number;
  cpuSamples: number;
  epochs: number;
  rounds: number;
  json: string | null;
  child: string | null;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return v;
}

function list(raw: string | undefined): string[] | null {
  return raw === undefined ? null : raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      sections: { type: 'string' },
      backends: { type: 'string' },
      layers: { type: 'string' },
      shapes: { type: 'string' },
      reps: { type: 'string' },
      samples: { type: 'string' },
      'cpu-samples': { type: 'string' },
      epochs: { type: 'string' },
      rounds: { type: 'string' },
      json: { type: 'string' },
      child: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return null;
  }
  const sections = (list(values.sections) ?? [...SECTIONS]) as Section[];
  for (const s of sections) {
    if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--sections: unknown section ${JSON.stringify(s)}; allowed: ${SECTIONS.join(', ')}`);
  }
  const layers = list(values.layers) ?? OWN_LAYERS;
  for (const l of layers) {
    if (!OWN_LAYERS.includes(l)) throw new Error(`--layers: ${JSON.stringify(l)} is not one of the library's layers: ${OWN_LAYERS.join(', ')}`);
  }
  const shapes = (list(values.shapes) ?? ['128x512', '128x4096']).map((s) => {
    const dims = s.split('x').map(Number);
    if (dims.length < 1 || dims.some((d) => !Number.isInteger(d) || d < 1)) throw new Error(`--shapes: bad shape ${JSON.stringify(s)} (e.g. 128x512)`);
    return dims;
  });
  return {
    sections,
    backends: list(values.backends),
    layers,
    shapes,
    reps: positiveInt('reps', values.reps, 15),
    samples: positiveInt('samples', values.samples, 2560),
    cpuSamples: positiveInt('cpu-samples', values['cpu-samples'], 256),
    epochs: positiveInt('epochs', values.epochs, 1),
    rounds: positiveInt('rounds', values.rounds, 5),
    json: values.json ?? null,
    child: values.child ?? null,
  };
}

function load(): string {
  return os.loadavg()[0].toFixed(2);
}

/** Switches to `name` (wasm with the library's optimizeWasmMatMul, as the examples use it). */
async function useBackend(name: string): Promise<boolean> {
  try {
    if (name === 'tensorflow') await import('@tensorflow/tfjs-node' as string);
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    if (name === 'wasm') optimizeWasmMatMul();
    return true;
  } catch {
    return false;
  }
}

async function availableBackends(wanted: string[] | null): Promise<string[]> {
  const out: string[] = [];
  for (const b of wanted ?? ['tensorflow', 'wasm', 'cpu']) {
    if (await useBackend(b)) out.push(b);
    else console.log(`(backend ${b} does not load here: skipped)`);
  }
  return out;
}

const fmt = (v: number, digits = 0) => v.toFixed(digits);
const throughputRow = (t: Throughput) =>
  `| ${t.name} | ${t.samplesPerSecond.map((v) => fmt(v)).join(', ')} | ${fmt(median(t.samplesPerSecond))} | ${fmt(median(t.samplesPerCpuSecond))} |`;

async function sectionLayers(opts: Options, backends: string[], out: Record<string, unknown>): Promise<void> {
  console.log(`\n## Layers: forward and forward+backward ms, median of ${opts.reps} (load ${load()})`);
  console.log('Ratios: median over repetitions of ours / built-in, both timed in the same repetition; "vs tfjs ops": ours / the same formula composed of tfjs ops (the library\'s kernels switched off).');
  console.log(LAYER_TABLE_HEADER);
  const rows: LayerTiming[] = [];
  for (const backend of backends) {
    await useBackend(backend);
    timeLayer('relu', opts.shapes[0], 5); // warms up the engine
    for (const shape of opts.shapes) {
      for (const layer of opts.layers) {
        const t = timeLayer(layer, shape, opts.reps);
        rows.push(t);
        console.log(layerTableRow(t));
      }
    }
  }
  console.log(`(load ${load()} at the end; * = fwd+bwd above 1.10x of the built-in)`);
  out.layers = rows;
}

async function sectionTrain(opts: Options, backends: string[], out: Record<string, unknown>): Promise<void> {
  const results: Record<string, unknown> = {};
  for (const backend of backends) {
    await useBackend(backend);
    const samples = backend === 'cpu' ? opts.cpuSamples : opts.samples;
    console.log(
      `\n## End to end on ${backend}: model.fit of the reference MLP, ${samples} random MNIST-shaped samples x ${opts.epochs} epochs, ` +
        `batch 128, Adamax; ${opts.rounds} alternating rounds (load ${load()})`,
    );
    const r = await benchEndToEnd(samples, opts.epochs, opts.rounds);
    console.log('| model | samples/s per round | median samples/s | median samples/CPU-s |');
    console.log('| --- | ---: | ---: | ---: |');
    r.configs.forEach((c) => console.log(throughputRow(c)));
    console.log(
      `AReLU / LeakyReLU per round: ${r.ratios.map((v) => v.toFixed(3)).join(', ')}; median ${median(r.ratios).toFixed(3)} ` +
        `(per CPU-second: median ${median(r.cpuRatios).toFixed(3)}); load ${load()}`,
    );
    results[backend] = r;
  }
  out.train = results;
}

async function sectionPipeline(opts: Options, out: Record<string, unknown>): Promise<void> {
  const backend = (await useBackend('tensorflow')) ? 'tensorflow' : 'wasm';
  await useBackend(backend);
  console.log(
    `\n## Pipeline on ${backend}: ${opts.samples} samples x ${opts.epochs} epochs with validation, AReLU model, ` +
      `${opts.rounds} rounds in rotation (load ${load()})`,
  );
  const r = await benchPipeline(opts.samples, opts.epochs, opts.rounds);
  console.log('| variant | samples/s per round | median samples/s | median samples/CPU-s |');
  console.log('| --- | ---: | ---: | ---: |');
  r.forEach((t) => console.log(throughputRow(t)));
  const base = r[0].samplesPerSecond;
  for (const t of r.slice(1)) {
    const ratios = t.samplesPerSecond.map((v, i) => v / base[i]);
    console.log(`${t.name} / bare fit: median ${median(ratios).toFixed(3)} (per round ${ratios.map((v) => v.toFixed(3)).join(', ')})`);
  }
  console.log(`(load ${load()})`);
  out.pipeline = { backend, variants: r };
}

async function sectionMemory(backends: string[], out: Record<string, unknown>): Promise<void> {
  const results: Record<string, unknown> = {};
  for (const backend of backends) {
    await useBackend(backend);
    const samples = backend === 'cpu' ? 128 : 512;
    console.log(`\n## Memory on ${backend}: trainClassifier, AReLU model, ${samples} samples, tf.memory() after epochs 1, 5, 20 (load ${load()})`);
    const r = await benchMemory(samples, [1, 5, 20]);
    console.log('| when | numTensors | numDataBuffers | numBytes |');
    console.log('| --- | ---: | ---: | ---: |');
    const row = (label: string, p: { numTensors: number; numDataBuffers: number; numBytes: number }) =>
      console.log(`| ${label} | ${p.numTensors} | ${p.numDataBuffers} | ${p.numBytes} |`);
    row('before the data and the model', r.before);
    r.points.forEach((p) => row(`end of epoch ${p.epoch}`, p));
    row('after training', r.afterFit);
    row('after disposing model, optimizer and data', r.after);
    results[backend] = r;
  }
  out.memory = results;
}

async function sectionProfile(out: Record<string, unknown>): Promise<void> {
  if (!(await useBackend('wasm'))) return;
  const steps = 8;
  console.log(`\n## Kernel time of a training step on wasm (tf.profile of model.fit, AReLU model, mean of ${steps} batches; load ${load()})`);
  const r = await profileStep(steps);
  console.log('| kernel | calls per step | ms per step | share of kernel time |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const k of r.kernels.slice(0, 14)) {
    console.log(`| ${k.name} | ${fmt(k.calls, 1)} | ${k.ms.toFixed(2)} | ${fmt((100 * k.ms) / r.kernelMs)}% |`);
  }
  console.log(
    `kernels ${r.kernelMs.toFixed(1)} ms per step (least of 3 profiled fits); a step without the profiler takes ${r.wallMs.toFixed(1)} ms ` +
      `(best of 3): about ${fmt(Math.max(0, 100 * (1 - r.kernelMs / r.wallMs)))}% of the step is tfjs' JavaScript outside kernels ` +
      `(tape, optimizer and fit-loop bookkeeping), within the noise of a shared machine`,
  );
  out.profile = r;
}

/** Runs this script in a child process in a `--child` mode; returns its last JSON line. */
function child(mode: string, extra: string[] = []): Record<string, unknown> {
  const script = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [...process.execArgv, script, '--child', mode, ...extra], { encoding: 'utf8', timeout: 300_000 });
  const line = (r.stdout ?? '').trim().split('\n').reverse().find((l) => l.startsWith('{'));
  const errorLine = (r.stderr ?? '').split('\n').find((l) => /Error/.test(l));
  if (line === undefined) return { ok: false, error: errorLine ?? `no result (exit ${r.status})` };
  const result = JSON.parse(line) as Record<string, unknown>;
  if (result.ok !== true && errorLine !== undefined) result.error = `${String(result.error)}: ${errorLine.trim()}`;
  return result;
}

/**
 * The child side: one measurement in a fresh process (wasm flags act when the backend starts),
 * printed as one JSON line. Modes: `threads` (tfjs' multi-threaded binary as tfjs starts it),
 * `train-single` (the default single-threaded SIMD binary), `train-nosimd`
 * (WASM_HAS_SIMD_SUPPORT=false), `train-threads` (the multi-threaded binary with the patches of
 * bench/wasm_threads_node.ts and 2 threads).
 */
async function runChild(mode: string, opts: Options): Promise<void> {
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { setThreadsCount: (n: number) => void; getThreadsCount: () => number };
  if (mode === 'threads' || mode === 'train-threads') {
    if (mode === 'train-threads') patchWasmThreadsForNode({ fakeCores: 4 });
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(2);
  } else if (mode === 'train-nosimd') {
    tf.env().set('WASM_HAS_SIMD_SUPPORT', false);
  } else if (mode !== 'train-single') {
    throw new Error(`unknown --child mode ${mode}`);
  }
  if (!(await useBackend('wasm')) || tf.getBackend() !== 'wasm') {
    console.log(JSON.stringify({ ok: false, error: 'the wasm backend did not start' }));
    return;
  }
  const threads = wasm.getThreadsCount();
  if (mode === 'threads') {
    console.log(JSON.stringify({ ok: true, threads }));
    return;
  }
  const data = randomImages(opts.samples, 91);
  const model = compiledMlp('arelu');
  const fit = (n: number) => fitSlice(model, data, n);
  await fit(256);
  const t = await timed(() => fit(opts.samples));
  const loss = (model.evaluate(data.images, data.labels) as tf.Scalar[])[0].dataSync()[0];
  console.log(
    JSON.stringify({
      ok: true,
      threads,
      simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
      samplesPerSecond: opts.samples / t.seconds,
      samplesPerCpuSecond: opts.samples / t.cpuSeconds,
      loss,
    }),
  );
  // Emscripten's pthread workers keep the process alive.
  process.exit(0);
}

async function sectionSettings(opts: Options, out: Record<string, unknown>): Promise<void> {
  console.log(`\n## Settings (load ${load()})`);
  const threads = child('threads');
  console.log(
    `- wasm with WASM_HAS_MULTITHREAD_SUPPORT forced and setThreadsCount(2), as tfjs starts it: ` +
      (threads.ok === true ? `starts with ${String(threads.threads)} thread(s)` : `fails: ${String(threads.error)}`),
  );
  const modes = ['train-single', 'train-threads', 'train-nosimd'];
  const runs: Record<string, Array<Record<string, unknown>>> = Object.fromEntries(modes.map((m) => [m, []]));
  for (let round = 0; round < 2; round++) {
    for (let k = 0; k < modes.length; k++) {
      const mode = modes[(k + round) % modes.length];
      const r = child(mode, ['--samples', String(Math.min(opts.samples, 1280))]);
      if (r.ok !== true) console.log(`- ${mode}: ${String(r.error)}`);
      else runs[mode].push(r);
    }
  }
  console.log('| wasm binary (fresh process each, alternating) | threads | samples/s | samples/CPU-s | loss after 1 epoch |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const label: Record<string, string> = {
    'train-single': 'SIMD, single-threaded (default)',
    'train-threads': 'SIMD, multi-threaded (patched start, 2 threads)',
    'train-nosimd': 'no SIMD (WASM_HAS_SIMD_SUPPORT=false)',
  };
  for (const mode of modes) {
    const rs = runs[mode];
    if (rs.length === 0) continue;
    const get = (key: string) => median(rs.map((r) => r[key] as number));
    console.log(`| ${label[mode]} | ${String(rs[0].threads)} | ${fmt(get('samplesPerSecond'))} | ${fmt(get('samplesPerCpuSecond'))} | ${get('loss').toFixed(4)} |`);
  }
  // yieldEvery applies to plain-object callbacks (tf.CustomCallback); the library's routine passes
  // tf.Callback subclasses only, which never yield.
  await useBackend('wasm');
  const data = randomImages(Math.min(opts.samples, 1280), 95);
  const model = compiledMlp('arelu');
  const yieldTimes: Record<string, number[]> = { auto: [], never: [], batch: [] };
  const fit = (yieldEvery: 'auto' | 'never' | 'batch', n = data.images.shape[0]) =>
    fitSlice(model, data, n, { yieldEvery, callbacks: { onBatchEnd: async () => {} } });
  await fit('auto', 256);
  for (let round = 0; round < opts.rounds; round++) {
    for (const y of ['auto', 'never', 'batch'] as const) {
      const t = await timed(() => fit(y));
      yieldTimes[y].push(data.images.shape[0] / t.seconds);
    }
  }
  disposeMlp(model);
  tf.dispose([data.images, data.labels]);
  console.log(
    `- model.fit with a plain-object callback, yieldEvery 'auto' / 'never' / 'batch': ` +
      `${fmt(median(yieldTimes.auto))} / ${fmt(median(yieldTimes.never))} / ${fmt(median(yieldTimes.batch))} samples/s (median of ${opts.rounds})`,
  );
  out.settings = { threads, runs, yieldEvery: yieldTimes };
  console.log(`(load ${load()})`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  if (opts === null) return;
  if (opts.child !== null) {
    await runChild(opts.child, opts);
    return;
  }
  const cpus = os.cpus();
  console.log(
    `# bench/perf: ${new Date().toISOString()}, node ${process.version}, ${os.availableParallelism()} cores ` +
      `(${cpus[0]?.model.trim() ?? 'unknown CPU'}), tfjs ${tf.version.tfjs}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`,
  );
  const backends = await availableBackends(opts.backends);
  console.log(`backends: ${backends.join(', ')}; wasm with optimizeWasmMatMul, SIMD ${String(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))}`);
  const out: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpu: cpus[0]?.model, cores: cpus.length };
  for (const s of opts.sections) {
    if (s === 'layers') await sectionLayers(opts, backends, out);
    if (s === 'train') await sectionTrain(opts, backends, out);
    if (s === 'pipeline') await sectionPipeline(opts, out);
    if (s === 'memory') await sectionMemory(backends, out);
    if (s === 'profile') await sectionProfile(out);
    if (s === 'settings') await sectionSettings(opts, out);
  }
  console.log(`\nload average at the end: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  if (opts.json !== null) {
    const { writeJsonAtomic } = await import('../src/node/files.js');
    writeJsonAtomic(opts.json, out);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
