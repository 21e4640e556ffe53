import type { RunConfig, RunRecord } from '../experiment/record.js';

/** One planned run of a benchmark grid. */
export type GridRun = RunConfig;

/**
 * The identity of a run: its activation, seed and every protocol setting (not the backend or
 * the kernels, which do not change what is computed). Two records with the same key are the
 * same experiment.
 */
export function runKey(config: RunConfig): string {
  const sorted = Object.fromEntries(Object.entries(config).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify(sorted);
}

/** Every (activation, seed) pair with the shared protocol settings, activation-major. */
export function planGrid(activations: string[], seeds: number[], protocol: Omit<RunConfig, 'activation' | 'seed'>): GridRun[] {
  const runs: GridRun[] = [];
  for (const seed of seeds) for (const activation of activations) runs.push({ activation, seed, ...protocol });
  return runs;
}

/** A shard `i/n`: 1-based index i of n equal parts. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The runs of shard `i/n`: every n-th run of the grid starting at the i-th, so that the n shards
 * together cover the grid exactly once, each with a similar mix of activations and seeds.
 */
export function takeShard<T>(runs: T[], shard: Shard): T[] {
  return runs.filter((_, k) => k % shard.count === shard.index - 1);
}

/** What a benchmark invocation asked of the backend: only records made that way count as done. */
export interface BackendRequest {
  /** 'auto' (any backend counts) or the backend asked for. */
  backend: string;
  /** Whether `--stock-kernels` was given: only wasm records with stock kernels count; without it, no stock-kernel record counts. */
  stockKernels: boolean;
}

/**
 * The runs of `runs` whose key is not among the keys of `done` records made on the requested
 * backend (the resume rule). The key leaves the backend out, since every backend computes the
 * same experiment; but a run asked for on a named backend (`--backend cpu`) is not skipped
 * because it was recorded on another, nor is a run with tfjs' stock wasm kernels taken for one
 * with the optimized kernels or the other way round.
 */
export function pendingRuns(runs: GridRun[], done: RunRecord[], request: BackendRequest = { backend: 'auto', stockKernels: false }): GridRun[] {
  // Kernels only differ on wasm: a cpu or tensorflow record has none (null).
  const counts = (r: RunRecord) =>
    (request.backend === 'auto' || r.backend === request.backend) && (r.backend !== 'wasm' || (r.kernels === 'stock') === request.stockKernels);
  const finished = new Set(done.filter(counts).map((r) => runKey(r.config)));
  return runs.filter((r) => !finished.has(runKey(r)));
}

/** Parses `i/n` with 1 <= i <= n. @throws Error naming the flag and the value otherwise. */
export function parseShard(raw: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`--shard must be i/n with 1 <= i <= n (e.g. 1/2), got '${raw}'.`);
  }
  return { index, count };
}

/** The most seeds one grid may list. */
export const MAX_SEEDS = 1000;

/** Parses a comma list of non-negative integer seeds, e.g. `1,2,3` or a range `1-5`. */
export function parseSeeds(raw: string): number[] {
  const seeds: number[] = [];
  for (const part of raw.split(',').map((s) => s.trim())) {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range && Number(range[2]) - Number(range[1]) >= MAX_SEEDS) {
      throw new Error(`--seeds: the range ${part} holds more than ${MAX_SEEDS} seeds.`);
    }
    if (range && Number(range[1]) <= Number(range[2])) {
      for (let s = Number(range[1]); s <= Number(range[2]); s++) seeds.push(s);
    } else if (/^\d+$/.test(part)) {
      seeds.push(Number(part));
    } else {
      throw new Error(`--seeds must be a comma list of non-negative integers or ranges (e.g. 1,2,3 or 1-3), got '${raw}'.`);
    }
  }
  if (seeds.some((s) => s > 2 ** 31 - 1)) throw new Error(`--seeds: seeds must be below 2^31, got '${raw}'.`);
  const unique = [...new Set(seeds)];
  if (unique.length !== seeds.length) throw new Error(`--seeds lists a seed twice: '${raw}'.`);
  return unique;
}

/** What {@link estimateMinutesLeft} needs to know about a grid in progress. */
export interface GridProgress {
  /** Wall minutes of each finished run (from its start on a worker to its record). */
  finishedMinutes: readonly number[];
  /** Each run now in progress (one per busy worker): minutes so far and the share of its epochs done (0 to 1). */
  running: ReadonlyArray<{ minutes: number; done: number }>;
  /** Runs not started yet. */
  queued: number;
  /** Worker processes. */
  workers: number;
}

/**
 * Minutes until a grid finishes. A running run needs what its pace so far says (minutes /
 * share done, for the share left), or, before its first epoch, the mean of the finished runs
 * minus its time so far; every queued run takes the mean. Queued runs go to whichever worker is
 * free first, as the benchmark hands them out, and the answer is when the last worker is done.
 * Null before any run has finished (nothing to go by).
 */
export function estimateMinutesLeft(p: GridProgress): number | null {
  if (p.finishedMinutes.length === 0) return null;
  const mean = p.finishedMinutes.reduce((a, b) => a + b, 0) / p.finishedMinutes.length;
  const free = p.running.map(({ minutes, done }) => (done > 0 ? (minutes * (1 - done)) / done : Math.max(mean - minutes, 0)));
  while (free.length < p.workers) free.push(0);
  for (let k = 0; k < p.queued; k++) {
    let first = 0;
    for (let w = 1; w < free.length; w++) if (free[w] < free[first]) first = w;
    free[first] += mean;
  }
  return Math.max(0, ...free);
}
