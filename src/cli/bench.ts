import * as tf from '@tensorflow/tfjs';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { prepareRunsForAppend, readRuns, writeReport } from '../bench/report.js';
import { TABLE1 } from '../bench/table1.js';
import { estimateMinutesLeft, pendingRuns, planGrid, parseSeeds, parseShard, runKey, takeShard, type GridRun, type Shard } from '../bench/grid.js';
import { STRESS } from '../bench/stress.js';
import type { RunRequest, SetupRequest, WorkerMessage } from '../bench/worker.js';
import type { RunRecord } from '../experiment/record.js';
import { loadMnist } from '../node/mnist.js';
import { appendJsonLine } from '../node/files.js';
import { lockFolder } from '../node/folder_lock.js';
import { activationNames } from '../registry.js';
import { activationFlag, ensureOutDir, backendFlag, intFlag, outFlag, parseFlags, stockKernelsFlag, PROTOCOL_FLAGS, PROTOCOL_HELP, protocolFromFlags, UsageError } from './options.js';

/** Images of the training set used as the dead-unit probe after every epoch. */
export const PROBE_SIZE = 1000;

const HELP = `tfjs-activations-bench [options]   (in this repository: npm run bench -- [options])

Runs the reference MNIST protocol (the same as npm run mnist) for every activation x seed,
appends each finished run to OUT/runs.jsonl and regenerates OUT/table.md, OUT/summary.json and
OUT/plots/ after every run. Runs already in runs.jsonl (same activation, seed and settings, data
folder, and the backend when --backend names one) are skipped, so an interrupted grid resumes
where it stopped. One benchmark at a time per OUT (OUT/.bench.lock).

Options:
  --activations LIST  comma list of registry names, 'table1' (the paper's Table I + arelu) or 'all' (default table1)
  --seeds LIST        comma list or ranges of seeds, e.g. 1,2,3 or 1-3 (default 1)
  --out DIR           output folder (default results/bench)
  --workers N         parallel worker processes, each with its own backend (default: number of cores, ${availableParallelism()} here)
  --shard i/n         run only every n-th run of the grid, starting at the i-th (to split a grid across machines)
  --stress            stress protocol: ${STRESS.description}
  --report-only       only regenerate the report from OUT/runs.jsonl (takes only --out)
${PROTOCOL_HELP}`;

const FLAGS = {
  ...PROTOCOL_FLAGS,
  activations: { type: 'string' },
  seeds: { type: 'string' },
  workers: { type: 'string' },
  shard: { type: 'string' },
  stress: { type: 'boolean' },
  'report-only': { type: 'boolean' },
  worker: { type: 'boolean' },
} as const;

/** Expands `table1`, `all` or a comma list into registry names. */
export function parseActivations(raw: string): string[] {
  if (raw === 'table1') return TABLE1.map((t) => t.name);
  if (raw === 'all') return activationNames();
  const names = raw.split(',').map((s) => s.trim());
  if (names.every((n) => n.length === 0)) throw new UsageError(`--activations must name at least one activation, got '${raw}'.`);
  if (names.some((n) => n.length === 0)) throw new UsageError(`--activations has an empty name in '${raw}' (a doubled or trailing comma).`);
  const group = names.find((n) => n === 'table1' || n === 'all');
  if (group !== undefined) {
    throw new UsageError(`--activations: '${group}' stands alone (--activations ${group}); to add names, list them all, got '${raw}'.`);
  }
  return [...new Set(names.map((n) => activationFlag('activations', n)))];
}

/** Everything the benchmark was asked to do. */
interface BenchPlan {
  out: string;
  runs: GridRun[];
  workers: number;
  setup: Omit<SetupRequest, 'type'>;
  shard: Shard | null;
  reportOnly: boolean;
}

function plan(argv: string[]): BenchPlan | 'help' | 'worker' {
  const { values } = parseFlags(argv, FLAGS);
  if (values.worker) return 'worker';
  if (values.help) return 'help';
  const v = values as Record<string, string | boolean | undefined>;
  const outPath = outFlag(v.out as string | undefined, join('results', 'bench'));
  if (v['report-only']) {
    // Nothing is run: flags that choose runs would be ignored, so they are refused.
    const ignored = Object.keys(v).filter((k) => v[k] !== undefined && !['report-only', 'out'].includes(k));
    if (ignored.length > 0) {
      throw new UsageError(
        `--report-only redraws the report from the runs in --out and takes no other flag, got ${ignored.map((k) => `--${k}`).join(', ')}.`,
      );
    }
    const noSetup = { backend: 'auto', stockKernels: false, trainSize: 0, testSize: 0, probeSize: 0 } as const;
    return { out: outPath, runs: [], workers: 1, shard: null, reportOnly: true, setup: noSetup };
  }
  const protocol = protocolFromFlags(values);
  if (v.stress) {
    Object.assign(protocol, { stress: true, hiddenBias: STRESS.hiddenBias, lr: v.lr === undefined ? STRESS.lr : protocol.lr });
  }
  protocol.probeSize = Math.min(PROBE_SIZE, protocol.trainSize);
  const activations = parseActivations((v.activations as string | undefined) ?? 'table1');
  let seeds: number[];
  try {
    seeds = parseSeeds((v.seeds as string | undefined) ?? '1');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let shard: Shard | null = null;
  if (v.shard !== undefined) {
    try {
      shard = parseShard(v.shard as string);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const workers = intFlag('workers', v.workers as string | undefined, availableParallelism(), 1, 64);
  let runs = planGrid(activations, seeds, protocol);
  if (shard) runs = takeShard(runs, shard);
  const backend = backendFlag(v.backend as string | undefined);
  const stockKernels = stockKernelsFlag(v['stock-kernels'] as boolean | undefined, backend);
  // Created last, so that a usage error leaves no empty folder behind.
  const out = ensureOutDir(outPath);
  return {
    out,
    runs,
    workers,
    shard,
    reportOnly: false,
    setup: {
      backend,
      stockKernels,
      dataDir: protocol.dataDir,
      trainSize: protocol.trainSize,
      testSize: protocol.testSize,
      probeSize: protocol.probeSize,
    },
  };
}

/**
 * The benchmark CLI. Returns the process exit code: 0 when every planned run is in runs.jsonl,
 * 1 when a run failed (the others are kept), 2 for a usage error (thrown as UsageError).
 */
export async function benchMain(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<number> {
  const p = plan(argv);
  if (p === 'help') {
    out.write(`${HELP}\n`);
    return 0;
  }
  if (p === 'worker') {
    const { workerLoop } = await import('../bench/worker_loop.js');
    workerLoop();
    return -1; // the worker keeps the process alive through IPC
  }
  // This process only draws reports (on tfjs' cpu backend); keep tfjs' "use tfjs-node" banner out of the log.
  tf.enableProdMode();
  // One benchmark per folder at a time: two would both run the missing runs and append them twice.
  const release = p.reportOnly ? () => {} : lockFolder(p.out, (m) => out.write(`${m}\n`));
  try {
    return await benchInFolder(p, out);
  } finally {
    release();
  }
}

async function benchInFolder(p: BenchPlan, out: NodeJS.WriteStream): Promise<number> {
  const runsFile = join(p.out, 'runs.jsonl');
  const done = existsSync(runsFile) ? readRuns(runsFile) : [];
  if (p.reportOnly) {
    if (done.length === 0) throw new UsageError(`--report-only: no runs in ${runsFile}.`);
    await writeReport(p.out, done);
    out.write(`report of ${done.length} runs written to ${p.out} (table.md, summary.json, plots/)\n`);
    return 0;
  }
  const pending = pendingRuns(p.runs, done, { backend: p.setup.backend, stockKernels: p.setup.stockKernels });
  const shardText = p.shard ? ` (shard ${p.shard.index}/${p.shard.count})` : '';
  out.write(
    `grid${shardText}: ${p.runs.length} runs, ${p.runs.length - pending.length} already in ${runsFile}, ${pending.length} to run` +
      (pending.length > 0 ? ` on ${Math.min(p.workers, pending.length)} worker(s)\n` : '\n'),
  );
  if (pending.length === 0) {
    if (done.length > 0) await writeReport(p.out, done);
    return 0;
  }
  // Check the data once here, so that a bad --data-dir is one clear error, not one per worker.
  const check = loadMnist({ dir: p.setup.dataDir, trainSize: p.setup.trainSize, testSize: p.setup.testSize });
  for (const t of [check.train.images, check.train.labels, check.test.images, check.test.labels]) t.dispose();
  if (existsSync(runsFile) && prepareRunsForAppend(runsFile) === 'truncated') {
    out.write(`removed the truncated last line of ${runsFile} (a run interrupted while it was being recorded; it runs again)\n`);
  }
  return runPending(pending, p, runsFile, done, out);
}

async function runPending(pending: GridRun[], p: BenchPlan, runsFile: string, done: RunRecord[], out: NodeJS.WriteStream): Promise<number> {
  const records = [...done];
  const queue = [...pending];
  const started = performance.now();
  let finished = 0;
  let failed = 0;
  const finishedMinutes: number[] = [];
  const runStarts = new Map<number, { start: number; done: number }>(); // worker -> its current run: start (ms), share of epochs done
  const workerCount = Math.min(p.workers, pending.length);
  const children: ChildProcess[] = [];
  const stopAll = () => children.forEach((c) => c.connected && c.kill());
  const onSignal = (signal: NodeJS.Signals) => {
    out.write(`\n${signal}: stopping. ${finished} finished run(s) of this invocation are in ${runsFile}; run the same command again to resume.\n`);
    stopAll();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const label = (c: GridRun) => `${c.activation} seed ${c.seed}`;
  // Reports are regenerated one at a time, in order; the activation sheet only at the end.
  let reports: Promise<unknown> = Promise.resolve();
  const report = (sheet: boolean) => {
    const snapshot = [...records];
    reports = reports
      .then(() => writeReport(p.out, snapshot, { activationSheet: sheet }))
      .catch((e: unknown) => out.write(`report not regenerated: ${(e as Error).message}\n`));
    return reports;
  };

  await Promise.all(
    Array.from({ length: workerCount }, (_, w) =>
      new Promise<void>((resolveWorker) => {
        // 'advanced' (structured clone) keeps NaN: JSON would turn a diverged run's NaN loss into null.
        const child = fork(process.argv[1], ['--worker'], {
          execArgv: process.execArgv,
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          serialization: 'advanced',
        });
        children.push(child);
        let current: GridRun | null = null;
        const next = () => {
          current = queue.shift() ?? null;
          runStarts.delete(w);
          if (current === null) {
            child.disconnect();
            return;
          }
          runStarts.set(w, { start: performance.now(), done: 0 });
          child.send({ type: 'run', config: current } satisfies RunRequest);
        };
        child.on('message', (m: WorkerMessage) => {
          if (m.type === 'ready') {
            if (w === 0) out.write(`${m.backend.description}\n`);
            next();
          } else if (m.type === 'epoch') {
            const e = m.epoch;
            const run = runStarts.get(w);
            if (run) run.done = e.epoch / m.config.epochs;
            out.write(
              `  [w${w + 1}] ${label(m.config)}: epoch ${e.epoch}/${m.config.epochs} loss ${fixed(e.loss)} ` +
                `val_acc ${fixed(e.valAcc)}${e.deadFraction !== null ? ` dead ${(100 * e.deadFraction).toFixed(1)}%` : ''} (${e.seconds.toFixed(0)}s)\n`,
            );
          } else if (m.type === 'done') {
            appendJsonLine(runsFile, m.record);
            records.push(m.record);
            finished += 1;
            const now = performance.now();
            finishedMinutes.push((now - (runStarts.get(w)?.start ?? started)) / 60000);
            runStarts.delete(w);
            const minutes = (now - started) / 60000;
            const left = estimateMinutesLeft({
              finishedMinutes,
              running: [...runStarts.values()].map((r) => ({ minutes: (now - r.start) / 60000, done: r.done })),
              queued: queue.length,
              workers: workerCount,
            });
            const eta = left !== null && pending.length - finished - failed > 0 ? ` - about ${formatMinutes(left)} left` : '';
            const t = m.record.test;
            out.write(
              `[${finished + failed}/${pending.length}] ${label(m.record.config)}: misclassification rate ${t.misclassificationRate.toFixed(2)}% ` +
                `(${t.errors}/${t.total})${m.record.diverged ? ' DIVERGED' : ''}, ${(m.record.wallSeconds / 60).toFixed(1)} min` +
                ` - elapsed ${formatMinutes(minutes)}${eta}\n`,
            );
            void report(false);
            next();
          } else if (m.type === 'failed') {
            failed += 1;
            out.write(`run ${m.config ? label(m.config) : '(worker setup)'} failed: ${m.message}\n`);
            if (m.config === null) {
              queue.length = 0;
              child.kill();
            } else next();
          }
        });
        child.on('exit', (code) => {
          runStarts.delete(w);
          if (current !== null && code !== 0) {
            failed += 1;
            out.write(`worker ${w + 1} exited (code ${code}) during ${label(current)}; that run is not recorded.\n`);
          }
          resolveWorker();
        });
        child.send({ type: 'setup', ...p.setup } satisfies SetupRequest);
      }),
    ),
  );
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  // The activation sheet does not depend on the runs: draw it when the folder has none yet (--report-only redraws it).
  if (finished > 0) await report(!existsSync(join(p.out, 'plots', 'activations.png')));
  out.write(`done: ${finished} run(s) finished${failed ? `, ${failed} failed (re-run the same command to retry them)` : ''}; report in ${p.out}\n`);
  return failed > 0 ? 1 : 0;
}

/** `v` with 4 decimals; NaN, infinities and a missing value as text (a diverged run has them). */
function fixed(v: number | null | undefined): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(4) : String(v ?? '-');
}

function formatMinutes(m: number): string {
  return m >= 90 ? `${(m / 60).toFixed(1)} h` : `${m.toFixed(1)} min`;
}

/** Keys of the records in `records`, for tests. */
export const recordKeys = (records: RunRecord[]) => records.map((r) => runKey(r.config));
