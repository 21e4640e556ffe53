import type { EpochRecord, RunConfig, RunRecord } from '../experiment/record.js';
import { table1Entry } from './table1.js';

/** The settings shared by every run of a comparison: a run's config without activation and seed. */
export type Protocol = Omit<RunConfig, 'activation' | 'seed'>;

/** The runs of one protocol on one backend, by activation: what one table and one set of plots show. */
export interface RunGroup {
  /** File-name-safe id: 'reference' or 'stress', with '-2', '-3'... when a section holds several groups. */
  id: string;
  stress: boolean;
  protocol: Protocol;
  backend: string;
  kernels: RunRecord['kernels'];
  /** Runs by activation, in first-seen order; one run per seed (see {@link groupRuns}). */
  runs: Map<string, RunRecord[]>;
  /** Records dropped because a later record had the same group, activation and seed. */
  duplicates: number;
}

/** One activation's results under one protocol: one row of table.md and of summary.json. */
export interface SummaryRow {
  activation: string;
  /** Runs (distinct seeds) summarized. */
  runs: number;
  seeds: number[];
  /** Runs whose training loss became NaN or infinite. They are included in the statistics below. */
  diverged: number;
  /** Test misclassification rate in percent over the runs. */
  misclassificationRate: {
    mean: number;
    /** Sample standard deviation (n - 1); null for a single run. */
    std: number | null;
    /** The lowest (best) run. */
    best: number;
    /** The highest (worst) run. */
    worst: number;
  };
  /** The paper's Table I value in percent (Atoum 2023; most rows quoted from Lau & Lim 2018), or null. */
  paperMisclassificationRate: number | null;
  /** The activation's name in the paper's Table I, or null. */
  paperLabel: string | null;
  /** Mean over runs of the dead-unit fraction (0..1, mean over layers) after the last epoch; null when never measured. */
  finalDeadFraction: number | null;
  /** Runs in which the final dead-unit fraction was measured. */
  deadFractionRuns: number;
  /** Mean training samples per second over the runs. */
  samplesPerSecond: number;
  /** Epochs of the protocol (config.epochs). */
  epochs: number;
}

/** One group of {@link RunGroup} summarized, rows sorted by mean misclassification rate (best first). */
export interface SummaryGroup {
  id: string;
  stress: boolean;
  protocol: Protocol;
  backend: string;
  kernels: RunRecord['kernels'];
  duplicates: number;
  rows: SummaryRow[];
}

/** Where and when the records were made, for the report's header. */
export interface Provenance {
  records: number;
  /** Earliest `startedAt` (ISO 8601), or null without records. */
  firstStartedAt: string | null;
  /** Latest `finishedAt` (ISO 8601), or null without records. */
  lastFinishedAt: string | null;
  /** Distinct machines: 'CPU model (N cores), platform, Node version'. */
  machines: string[];
  /** Distinct backends: 'wasm (optimized kernels)', 'tensorflow', ... */
  backends: string[];
  /** Distinct version pairs: 'tfjs 4.22.0, tfjs-activations 0.1.0'. */
  versions: string[];
}

/** The content of summary.json. */
export interface Summary {
  provenance: Provenance;
  groups: SummaryGroup[];
}

/** Mean of `xs`; NaN for an empty list. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (divisor n - 1) of `xs`; null for fewer than two values. */
export function sampleStd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) ** 2;
  return Math.sqrt(ss / (xs.length - 1));
}

/** A run's protocol: its config without activation and seed. */
export function protocolOf(record: RunRecord): Protocol {
  const { activation: _a, seed: _s, ...protocol } = record.config;
  void _a;
  void _s;
  return protocol;
}

/** 6 hex digits of the FNV-1a hash of `text`: a short, stable name for a group's settings. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 6);
}

/** A canonical string for a protocol + backend: equal settings give equal keys whatever the key order in the JSON. */
function groupKey(record: RunRecord): string {
  const p = protocolOf(record) as unknown as Record<string, unknown>;
  const sorted = Object.fromEntries(Object.keys(p).sort().map((k) => [k, p[k]]));
  return JSON.stringify([sorted, record.backend, record.kernels]);
}

/**
 * Splits records into groups that may be compared and averaged: same protocol (every config field
 * but activation and seed: epochs, batch size, learning rate, initial slope, train/test sizes,
 * hidden bias, stress flag, probe size) on the same backend and kernels. Within a group, runs are
 * listed by activation; when two records share group, activation and seed (a re-run), the later
 * one in `records` is kept and the earlier counted in `duplicates`.
 *
 * Groups are ordered reference protocol first, then stress; within each, by number of runs
 * (most first), then by settings. Ids (and so plot file names) stay the same as records are
 * added: in each section the group of the earliest record is 'reference' / 'stress', and any
 * other group is that name plus a short hash of its settings ('reference-3f9a2c').
 */
export function groupRuns(records: readonly RunRecord[]): RunGroup[] {
  const byKey = new Map<string, { first: RunRecord; order: number; bySeed: Map<string, Map<number, RunRecord>>; seen: number }>();
  for (const r of records) {
    const key = groupKey(r);
    let g = byKey.get(key);
    if (g === undefined) {
      g = { first: r, order: byKey.size, bySeed: new Map(), seen: 0 };
      byKey.set(key, g);
    }
    g.seen++;
    let seeds = g.bySeed.get(r.activation);
    if (seeds === undefined) {
      seeds = new Map();
      g.bySeed.set(r.activation, seeds);
    }
    seeds.delete(r.seed); // re-insert: the later record wins
    seeds.set(r.seed, r);
  }
  const groups = [...byKey.entries()].map(([key, g]) => {
    const runs = new Map<string, RunRecord[]>();
    let kept = 0;
    for (const [activation, seeds] of g.bySeed) {
      const list = [...seeds.values()].sort((a, b) => a.seed - b.seed);
      runs.set(activation, list);
      kept += list.length;
    }
    return {
      key,
      order: g.order,
      id: '',
      stress: g.first.config.stress,
      protocol: protocolOf(g.first),
      backend: g.first.backend,
      kernels: g.first.kernels,
      runs,
      duplicates: g.seen - kept,
      size: kept,
    };
  });
  groups.sort((a, b) => Number(a.stress) - Number(b.stress) || b.size - a.size || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const stress of [false, true]) {
    const section = groups.filter((g) => g.stress === stress);
    const name = stress ? 'stress' : 'reference';
    const firstSeen = Math.min(...section.map((g) => g.order));
    for (const g of section) g.id = g.order === firstSeen ? name : `${name}-${shortHash(g.key)}`;
  }
  return groups.map(({ id, stress, protocol, backend, kernels, runs, duplicates }) => ({ id, stress, protocol, backend, kernels, runs, duplicates }));
}

/** The summary row of one activation's runs (all of one protocol), as defined by {@link SummaryRow}. */
export function summarizeRuns(activation: string, runs: readonly RunRecord[]): SummaryRow {
  if (runs.length === 0) throw new Error(`summarizeRuns: no runs for '${activation}'.`);
  const mrs = runs.map((r) => r.test.misclassificationRate);
  const dead = runs
    .map((r) => r.epochs.at(-1)?.deadFraction ?? null)
    .filter((d): d is number => d !== null && Number.isFinite(d));
  const paper = table1Entry(activation);
  return {
    activation,
    runs: runs.length,
    seeds: runs.map((r) => r.seed),
    diverged: runs.filter((r) => r.diverged).length,
    misclassificationRate: { mean: mean(mrs), std: sampleStd(mrs), best: Math.min(...mrs), worst: Math.max(...mrs) },
    paperMisclassificationRate: paper?.paperMisclassificationRate ?? null,
    paperLabel: paper?.paperLabel ?? null,
    finalDeadFraction: dead.length > 0 ? mean(dead) : null,
    deadFractionRuns: dead.length,
    samplesPerSecond: mean(runs.map((r) => r.samplesPerSecond)),
    epochs: runs[0].config.epochs,
  };
}

/** Machines, backends, versions and date range of `records`. */
export function provenanceOf(records: readonly RunRecord[]): Provenance {
  const distinct = (f: (r: RunRecord) => string) => [...new Set(records.map(f))];
  const starts = records.map((r) => r.startedAt).sort();
  const ends = records.map((r) => r.finishedAt).sort();
  return {
    records: records.length,
    firstStartedAt: starts[0] ?? null,
    lastFinishedAt: ends.at(-1) ?? null,
    machines: distinct((r) => `${r.machine.cpu} (${r.machine.cores} cores), ${r.machine.platform}, Node ${r.machine.node}`),
    backends: distinct(backendLabel),
    versions: distinct((r) => `tfjs ${r.versions.tfjs}, tfjs-activations ${r.versions.tfjsActivations}`),
  };
}

/** 'wasm (optimized kernels)', 'wasm (stock kernels)' or the backend name. */
export function backendLabel(r: Pick<RunRecord, 'backend' | 'kernels'>): string {
  return r.kernels === null ? r.backend : `${r.backend} (${r.kernels} kernels)`;
}

/** Everything summary.json holds: provenance and one summarized group per protocol and backend. */
export function summarize(records: readonly RunRecord[]): Summary {
  return {
    provenance: provenanceOf(records),
    groups: groupRuns(records).map((g) => ({
      id: g.id,
      stress: g.stress,
      protocol: g.protocol,
      backend: g.backend,
      kernels: g.kernels,
      duplicates: g.duplicates,
      rows: [...g.runs.entries()]
        .map(([activation, runs]) => summarizeRuns(activation, runs))
        .sort((a, b) => a.misclassificationRate.mean - b.misclassificationRate.mean || (a.activation < b.activation ? -1 : 1)),
    })),
  };
}

/** One point of a per-epoch curve over seeds. */
export interface EpochPoint {
  epoch: number;
  /** Runs with a finite value at this epoch. */
  n: number;
  mean: number;
  /** Sample standard deviation over the runs; null when n = 1. */
  std: number | null;
  min: number;
  max: number;
}

/**
 * The per-epoch mean, sample standard deviation, min and max over `runs` of `value(epoch record)`.
 * Epochs where a run has no finite value (not measured, or after divergence) leave that run out;
 * epochs where no run has one are omitted.
 */
export function epochSeries(runs: readonly RunRecord[], value: (e: EpochRecord) => number | null): EpochPoint[] {
  const byEpoch = new Map<number, number[]>();
  for (const r of runs) {
    for (const e of r.epochs) {
      const v = value(e);
      if (v === null || !Number.isFinite(v)) continue;
      const list = byEpoch.get(e.epoch) ?? [];
      list.push(v);
      byEpoch.set(e.epoch, list);
    }
  }
  return [...byEpoch.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([epoch, xs]) => ({ epoch, n: xs.length, mean: mean(xs), std: sampleStd(xs), min: Math.min(...xs), max: Math.max(...xs) }));
}
