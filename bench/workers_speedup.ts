/**
 * How much faster `npm run bench` finishes a grid with `--workers N` than with `--workers 1`
 * (issue 4: on a 2-core machine close to 2x). Runs the benchmark CLI as a user would, in a fresh
 * process per grid with a fresh output folder, alternating the worker counts over rounds so that
 * a change in the machine's load hits both alike, and prints the wall time of each grid, the
 * median ratio and the load average.
 *
 *   npx tsx bench/workers_speedup.ts [--workers 2] [--rounds 2] [bench flags]
 *   (default bench flags: --activations relu,arelu --seeds 1,2 --epochs 2 --train-size 12000
 *    --test-size 2000 --backend wasm)
 *
 * Prints a table; asserts nothing. Meaningful only on an otherwise idle machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './stats.js';

const ROOT = join(import.meta.dirname, '..');
const DEFAULT_GRID = ['--activations', 'relu,arelu', '--seeds', '1,2', '--epochs', '2', '--train-size', '12000', '--test-size', '2000', '--backend', 'wasm'];

function positiveInt(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be an integer >= 1, got '${raw}'.`);
  return n;
}

/** Wall seconds of one grid run by the CLI with `workers` workers; throws with the CLI's stderr when it fails. */
function timeGrid(grid: string[], workers: number): number {
  const out = mkdtempSync(join(tmpdir(), `workers-${workers}-`));
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bench_main.ts'), ...grid, '--workers', String(workers), '--out', out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`bench --workers ${workers} failed (exit ${r.status}):\n${r.stderr}`);
    return seconds;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function main(): void {
  const { values, positionals, tokens } = parseArgs({
    options: { workers: { type: 'string' }, rounds: { type: 'string' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const workers = positiveInt('workers', values.workers as string | undefined, os.availableParallelism());
  const rounds = positiveInt('rounds', values.rounds as string | undefined, 2);
  // Every flag but ours is passed on to the bench CLI.
  const passed = tokens
    .filter((t) => !(t.kind === 'option' && (t.name === 'workers' || t.name === 'rounds')))
    .flatMap((t) => (t.kind === 'option' ? [t.rawName, ...(t.value === undefined ? [] : [t.value])] : t.kind === 'positional' ? [t.value] : []));
  void positionals;
  const grid = passed.length > 0 ? passed : DEFAULT_GRID;
  console.log(`grid: ${grid.join(' ')}`);
  console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`);
  console.log('| round | --workers 1 (s) | --workers ' + workers + ' (s) | speed-up | load before |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const load = os.loadavg()[0];
    // Alternate which goes first.
    const order = round % 2 === 1 ? [1, workers] : [workers, 1];
    const times = new Map(order.map((w) => [w, timeGrid(grid, w)] as const));
    const one = times.get(1) as number;
    const many = times.get(workers) as number;
    ratios.push(one / many);
    console.log(`| ${round} | ${one.toFixed(1)} | ${many.toFixed(1)} | ${(one / many).toFixed(2)}x | ${load.toFixed(2)} |`);
  }
  console.log(`median speed-up with --workers ${workers}: ${median(ratios).toFixed(2)}x (load now ${os.loadavg()[0].toFixed(2)})`);
}

main();
