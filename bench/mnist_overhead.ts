/**
 * How much of `npm run mnist`'s wall time is spent outside tfjs training and evaluation (issue 5:
 * at least 95% inside). Runs the example's own entry (mnistMain) in this process, with its output
 * going to a terminal-like stream that timestamps every line (so that the progress bar draws as on
 * a terminal), and times:
 *
 * - startup: from the process start to the first line of this script (Node, tsx, imports);
 * - backend: until the backend line is printed; data: until the MNIST line (IDX files read);
 * - training: model.fitDataset (validation after each epoch included), minus the time spent in
 *   the progress bar (cli-progress' start/update/stop and its writes), reported separately;
 * - evaluation: from the end of training to the misclassification line (evaluateClassifier);
 * - record: until the `record:` line (the JSON written), then until mnistMain returns;
 * - exit: from there to the process' exit.
 *
 *   npx tsx bench/mnist_overhead.ts [mnist flags]   (default: --epochs 2 --train-size 10000)
 *
 * Prints a table; asserts nothing.
 */
import { mkdtempSync, rmSync, writeSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import * as tf from '@tensorflow/tfjs';
import { mnistMain } from '../src/cli/mnist.js';

const scriptStart = performance.now(); // ms since the process started

interface Mark {
  t: number;
  line: string;
}

/** Wraps a method so that the time spent in it is added to `total.ms`. */
function timeMethod(target: object, name: string, total: { ms: number }): void {
  const obj = target as Record<string, (...args: unknown[]) => unknown>;
  const original = obj[name];
  obj[name] = function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      total.ms += performance.now() - t0;
    }
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), 'mnist-overhead-'));
  const args = [...(argv.length > 0 ? argv : ['--epochs', '2', '--train-size', '10000']), '--out', dir];

  const marks: Mark[] = [];
  const writes = { ms: 0 };
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      const t0 = performance.now();
      for (const line of String(chunk).split('\n')) if (line.trim() !== '' && !line.includes('[')) marks.push({ t: t0, line });
      writes.ms += performance.now() - t0;
      callback();
    },
  }) as unknown as NodeJS.WriteStream & { isTTY: boolean; columns: number };
  sink.isTTY = true;
  sink.columns = 120;
  for (const m of ['cursorTo', 'moveCursor', 'clearLine', 'clearScreenDown']) {
    (sink as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
      (a.find((x) => typeof x === 'function') as (() => void) | undefined)?.();
      return true;
    };
  }

  const bar = { ms: 0 };
  for (const m of ['start', 'update', 'stop']) timeMethod(cliProgress.SingleBar.prototype, m, bar);
  let fitStart = 0;
  let fitEnd = 0;
  const proto = tf.LayersModel.prototype as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  const fitDataset = proto.fitDataset;
  proto.fitDataset = async function (this: unknown, ...a: unknown[]) {
    fitStart = performance.now();
    try {
      return await fitDataset.apply(this, a);
    } finally {
      fitEnd = performance.now();
    }
  };

  const mainStart = performance.now();
  await mnistMain(args, sink);
  const mainEnd = performance.now();
  rmSync(dir, { recursive: true, force: true });

  const at = (prefix: string) => marks.find((m) => m.line.startsWith(prefix))?.t ?? Number.NaN;
  const backendAt = at('backend:');
  const dataAt = at('MNIST:');
  const evalAt = at('misclassification rate');
  const recordAt = at('record:');
  process.on('exit', () => {
    const exitAt = performance.now();
    const training = fitEnd - fitStart - bar.ms;
    const evaluation = evalAt - fitEnd;
    const inside = training + evaluation;
    const rows: Array<[string, number, boolean]> = [
      ['startup (Node, tsx, imports)', scriptStart, false],
      ['set-up before mnistMain', mainStart - scriptStart, false],
      ['backend initialisation', backendAt - mainStart, false],
      ['MNIST loading (IDX files)', dataAt - backendAt, false],
      ['model building, compile', fitStart - dataAt, false],
      ['training: model.fitDataset without the progress bar', training, true],
      ['progress bar (cli-progress, drawn into a terminal-like stream)', bar.ms, false],
      ['evaluation (evaluateClassifier)', evaluation, true],
      ['record and JSON file', recordAt - evalAt, false],
      ['end of mnistMain', mainEnd - recordAt, false],
      ['process exit', exitAt - mainEnd, false],
    ];
    const total = exitAt;
    const out: string[] = [];
    out.push(`# bench/mnist_overhead: npm run mnist -- ${args.slice(0, -2).join(' ')}; ${new Date().toISOString()}; load average ${os.loadavg()[0].toFixed(2)}`);
    out.push('| phase | seconds | share of wall time | inside tfjs training/evaluation |');
    out.push('| --- | ---: | ---: | --- |');
    for (const [name, ms, isInside] of rows) out.push(`| ${name} | ${(ms / 1000).toFixed(2)} | ${((100 * ms) / total).toFixed(1)}% | ${isInside ? 'yes' : ''} |`);
    out.push(`| total (process start to exit) | ${(total / 1000).toFixed(2)} | 100% | |`);
    out.push(
      `inside tfjs training and evaluation: ${((100 * inside) / total).toFixed(1)}% of the wall time; ` +
        `outside: ${(((total - inside) / 1000)).toFixed(2)} s, of which ${((scriptStart + (dataAt - mainStart)) / 1000).toFixed(2)} s fixed start-up ` +
        `(process, backend, data) and ${((bar.ms + (recordAt - evalAt)) / 1000).toFixed(2)} s progress bar and record`,
    );
    writeSync(1, `${out.join('\n')}\n`);
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
