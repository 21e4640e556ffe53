import type { Protocol, Summary, SummaryGroup, SummaryRow } from './summary.js';
import { backendLabel } from './summary.js';
import { TABLE1 } from './table1.js';

/** A plot file to link under a group's table, path relative to table.md. */
export interface PlotLink {
  title: string;
  file: string;
}

/** Links table.md shows: per group id, and the activation sheet. */
export interface TableLinks {
  groups?: Record<string, PlotLink[]>;
  /** The activation sheet (f and f' of every registered activation). */
  sheet?: PlotLink;
  /** Why a plot is missing, per group id (e.g. 'no AReLU run, so no slope plot'). */
  notes?: Record<string, string[]>;
}

const DASH = '–';

/** `x` with `digits` decimals, or a dash for null/NaN. */
export function fmt(x: number | null | undefined, digits: number): string {
  return x === null || x === undefined || !Number.isFinite(x) ? DASH : x.toFixed(digits);
}

/** '2025-03-01T10:04:05.123Z' -> '2025-03-01 10:04 UTC'. */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line describing a protocol, e.g. '20 epochs, batch 128, Adamax lr 0.001, ...'. */
export function describeProtocol(p: Protocol): string {
  const parts = [
    `${p.epochs} epoch${p.epochs === 1 ? "" : "s"}`,
    `batch ${p.batchSize}`,
    `Adamax lr ${p.lr}`,
    `${p.trainSize} training / ${p.testSize} test images`,
    `AReLU initial slope ${p.initialSlope}`,
    `hidden biases start at ${p.hiddenBias}`,
    p.probeSize > 0 ? `dead units probed on ${p.probeSize} training images` : 'dead units not measured',
    ...(p.dataDir === undefined ? [] : [`data from ${p.dataDir}`]),
  ];
  return parts.join(', ');
}

/** The markdown table of one group's rows. */
export function rowsTable(rows: readonly SummaryRow[]): string {
  const header =
    '| activation | runs | diverged | test MR % (mean ± sd) | best MR % | paper MR % | dead units at end % | training samples/s |\n' +
    '|---|---:|---:|---:|---:|---:|---:|---:|\n';
  const lines = rows.map((r) => {
    const mr = r.misclassificationRate;
    const meanSd = mr.std === null ? `${fmt(mr.mean, 2)} ± ${DASH}` : `${fmt(mr.mean, 2)} ± ${fmt(mr.std, 2)}`;
    const paper = r.paperMisclassificationRate === null ? DASH : String(r.paperMisclassificationRate);
    const dead = r.finalDeadFraction === null ? DASH : fmt(100 * r.finalDeadFraction, 1);
    const sps = Number.isFinite(r.samplesPerSecond) ? String(Math.round(r.samplesPerSecond)) : DASH;
    return `| ${r.activation} | ${r.runs} | ${r.diverged} | ${meanSd} | ${fmt(mr.best, 2)} | ${paper} | ${dead} | ${sps} |`;
  });
  return header + lines.join('\n') + '\n';
}

function groupSection(g: SummaryGroup, links: TableLinks): string {
  let out = `### ${g.id}\n\n`;
  out += `${describeProtocol(g.protocol)}; backend ${backendLabel(g)}.\n\n`;
  out += rowsTable(g.rows);
  if (g.duplicates > 0) {
    out += `\n${g.duplicates} repeated record(s) (same activation and seed) were ignored; the latest of each is used.\n`;
  }
  const plots = links.groups?.[g.id] ?? [];
  if (plots.length > 0) out += `\nPlots: ${plots.map((p) => `[${p.title}](${p.file})`).join(', ')}.\n`;
  for (const note of links.notes?.[g.id] ?? []) out += `\n${note}\n`;
  return `${out}\n`;
}

/**
 * table.md: a header with the records' machines, backends, versions and date range, then a
 * "Reference protocol" and a "Stress protocol" section with one table per protocol and backend
 * (rows sorted by mean misclassification rate), links to the plots, and notes defining every column.
 */
export function renderTableMarkdown(summary: Summary, links: TableLinks = {}): string {
  const p = summary.provenance;
  let out = '# MNIST activation benchmark\n\n';
  out +=
    "Atoum (2023)'s reference protocol: MLP 784-512-512-10 (the activation in both hidden layers, softmax output), " +
    'Adamax, categorical cross-entropy, validation on the test set after every epoch. ' +
    'MR = test misclassification rate in percent after the last epoch, over seeds.\n\n';
  out += `- Records: ${p.records}`;
  if (p.firstStartedAt && p.lastFinishedAt) {
    out += `, from ${formatTimestamp(p.firstStartedAt)} to ${formatTimestamp(p.lastFinishedAt)}`;
  }
  out += '\n';
  out += `- Machine${p.machines.length > 1 ? 's' : ''}: ${p.machines.join('; ') || DASH}\n`;
  out += `- Backend${p.backends.length > 1 ? 's' : ''}: ${p.backends.join('; ') || DASH}\n`;
  out += `- Versions: ${p.versions.join('; ') || DASH}\n\n`;

  for (const stress of [false, true]) {
    out += stress ? '## Stress protocol\n\n' : '## Reference protocol\n\n';
    const groups = summary.groups.filter((g) => g.stress === stress);
    if (stress && groups.length > 0) {
      out += 'Hidden Dense biases start below zero, a setting known to kill ReLU units; compare the dead-unit column.\n\n';
    }
    if (groups.length === 0) out += `No ${stress ? 'stress' : 'reference'} runs yet.\n\n`;
    for (const g of groups) out += groupSection(g, links);
  }

  if (links.sheet) out += `## Activation shapes\n\n[${links.sheet.title}](${links.sheet.file})\n\n`;

  out += '## Notes\n\n';
  out += '- sd: sample standard deviation over seeds (divisor n - 1); "–" for a single run.\n';
  out +=
    "- MR is measured after training, as the paper's algorithm does (Fig. 7: update the AReLU slope to the last epoch's loss, then evaluate). " +
    "For AReLU that final evaluation uses a slope the network never trained with; the per-epoch test curves use the slope in effect during each epoch. " +
    'After 20 epochs the two agree (the loss, hence the slope, is about 0.001); after a short run (loss near 1) the final MR of AReLU can be much worse than its last test-accuracy point.\n';
  out += '- best: the lowest MR of any seed. Diverged runs (training loss NaN or infinite) are included in every statistic.\n';
  out +=
    '- paper MR: Table I of Atoum (2023). Every value there except AReLU\'s (1.2) is quoted from Lau & Lim (2018), ' +
    'whose networks and training differ from this protocol: a reference point, not a like-for-like result. Paper labels: ' +
    `${TABLE1.map((e) => `${e.name} = ${e.paperLabel}`).join(', ')}.\n`;
  out +=
    '- dead units at end: the fraction of hidden units the dead-unit monitor found dead on its probe images after the last epoch, ' +
    'mean over the hidden layers and then over seeds, in percent; "–" where not measured.\n';
  out += '- training samples/s: training images per second over the batches only (validation and evaluation excluded), mean over seeds.\n';
  return out;
}
