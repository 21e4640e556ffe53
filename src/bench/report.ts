import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RunRecord } from '../experiment/record.js';
import { writeFileAtomic, writeJsonAtomic } from '../node/files.js';
import { activationSheetSpec, computeActivationSheet, type ActivationSheetOptions } from './activation_sheet.js';
import { activationStyles, curvePlotSpec, EPOCH_METRICS, metricCurves, renderSvg, styleOrder, svgToPng, type PlotSpec } from './plots.js';
import { groupRuns, summarize, type Summary } from './summary.js';
import { renderTableMarkdown, type PlotLink, type TableLinks } from './table_markdown.js';
import { TABLE1 } from './table1.js';

/** Options of {@link writeReport}. */
export interface ReportOptions {
  /**
   * Draw plots/activations.{svg,png}, the f and f' sheet of every registered activation (runs the
   * layers on the current tfjs backend). `false` skips it; an object passes grid options. Default true.
   */
  activationSheet?: boolean | ActivationSheetOptions;
  /** PNG pixels per SVG pixel. Default 2. */
  pngScale?: number;
}

/** Names of the per-group plots a report writes: `<group id>-<metric slug>.svg|png`. */
const GROUP_PLOT = new RegExp(`^(reference|stress)(-[0-9a-f]+)?-(${EPOCH_METRICS.map((m) => m.slug).join('|')})\\.(svg|png)$`);

/**
 * Deletes per-group plots of earlier reports that this report did not write (a group that no
 * longer exists, or was renumbered): they are drawn from runs.jsonl, so nothing is lost, and a
 * stale plot beside the current ones would mislead. Other files in the folder are left alone.
 */
function removeStalePlots(plotDir: string, written: ReadonlySet<string>): void {
  if (!existsSync(plotDir)) return;
  for (const file of readdirSync(plotDir)) {
    if (GROUP_PLOT.test(file) && !written.has(file)) rmSync(join(plotDir, file), { force: true });
  }
}

/** The files {@link writeReport} wrote, absolute or relative as `dir` was given. */
export interface ReportFiles {
  table: string;
  summary: string;
  /** Every SVG and PNG written, in pairs. */
  plots: string[];
  /** Activations the sheet could not draw, with the reason. */
  sheetSkipped: Array<{ name: string; reason: string }>;
}

/**
 * Writes the benchmark's report from `records` into `dir` (it reads no file): `table.md`,
 * `summary.json` (the {@link Summary}), and under `plots/` an SVG and a PNG of: test accuracy,
 * test loss, AReLU slope and dead-unit fraction per epoch for each protocol group (files
 * `<group id>-<metric>.svg`, the group ids of {@link groupRuns}; a metric nobody recorded has no
 * plot), and the activation sheet `activations.svg`. Every file is written atomically; files of
 * earlier reports whose group no longer exists are deleted (other files in `plots/` are left alone).
 */
export async function writeReport(dir: string, records: readonly RunRecord[], options: ReportOptions = {}): Promise<ReportFiles> {
  const { activationSheet = true, pngScale = 2 } = options;
  const plots: string[] = [];
  const writePlot = async (name: string, spec: PlotSpec): Promise<void> => {
    const svg = await renderSvg(spec);
    const svgPath = join(dir, 'plots', `${name}.svg`);
    const pngPath = join(dir, 'plots', `${name}.png`);
    writeFileAtomic(svgPath, svg);
    writeFileAtomic(pngPath, svgToPng(svg, pngScale));
    plots.push(svgPath, pngPath);
  };

  const summary: Summary = summarize(records);
  // One look per activation across all plots: AReLU and ReLU (the paper's comparison) get the two
  // strongest colours, then Table I's order, then the others by name.
  const styles = activationStyles(styleOrder(records.map((r) => r.activation), ['arelu', 'relu', ...TABLE1.map((e) => e.name)]));
  const links: Required<Pick<TableLinks, 'groups' | 'notes'>> & TableLinks = { groups: {}, notes: {} };
  for (const group of groupRuns(records)) {
    const groupLinks: PlotLink[] = [];
    const notes: string[] = [];
    const protocolTitle = group.id.includes('-') ? `group ${group.id}` : `${group.id} protocol`;
    for (const metric of EPOCH_METRICS) {
      const { curves, divergedLeftOut } = metricCurves(group.runs, metric);
      if (curves.length === 0) {
        if (metric.slug === 'arelu-slope') notes.push('No AReLU run in this group: no slope plot.');
        if (metric.slug === 'dead-units') notes.push('Dead units were not measured in this group: no dead-unit plot.');
        continue;
      }
      const name = `${group.id}-${metric.slug}`;
      await writePlot(
        name,
        curvePlotSpec(curves, {
          title: `${metric.title}, ${protocolTitle}`,
          yTitle: metric.yTitle,
          scale: metric.scale,
          zero: metric.zero,
          styles,
          note: divergedLeftOut > 0 ? `${divergedLeftOut} diverged run${divergedLeftOut > 1 ? 's' : ''} not drawn` : undefined,
        }),
      );
      groupLinks.push({ title: metric.label, file: `plots/${name}.png` });
    }
    links.groups[group.id] = groupLinks;
    links.notes[group.id] = notes;
  }

  removeStalePlots(join(dir, 'plots'), new Set(plots.map((f) => basename(f))));

  let sheetSkipped: ReportFiles['sheetSkipped'] = [];
  if (activationSheet !== false) {
    const sheet = computeActivationSheet(activationSheet === true ? {} : activationSheet);
    sheetSkipped = sheet.skipped;
    await writePlot('activations', activationSheetSpec(sheet));
    links.sheet = { title: "f(x) and f'(x) of every registered activation", file: 'plots/activations.png' };
  }

  let table = renderTableMarkdown(summary, links);
  if (sheetSkipped.length > 0) {
    table += `- Not on the activation sheet: ${sheetSkipped.map((s) => `${s.name} (${s.reason})`).join('; ')}.\n`;
  }
  const tablePath = join(dir, 'table.md');
  const summaryPath = join(dir, 'summary.json');
  writeFileAtomic(tablePath, table);
  writeJsonAtomic(summaryPath, summary);
  return { table: tablePath, summary: summaryPath, plots, sheetSkipped };
}

/** What is wrong with `value` as a {@link RunRecord}, or null when it looks like one. */
export function runRecordProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const r = value as Record<string, unknown>;
  if (r.format !== 1) return `format is ${JSON.stringify(r.format)}, expected 1`;
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  const checks: Array<[boolean, string]> = [
    [typeof r.activation === 'string', 'activation'],
    [typeof r.seed === 'number', 'seed'],
    [typeof r.backend === 'string', 'backend'],
    [isObject(r.config), 'config'],
    [Array.isArray(r.epochs), 'epochs'],
    [isObject(r.test) && typeof (r.test as Record<string, unknown>).misclassificationRate === 'number', 'test.misclassificationRate'],
    [typeof r.samplesPerSecond === 'number', 'samplesPerSecond'],
    [typeof r.diverged === 'boolean', 'diverged'],
    [typeof r.startedAt === 'string' && typeof r.finishedAt === 'string', 'startedAt/finishedAt'],
    [isObject(r.machine) && isObject(r.versions), 'machine/versions'],
  ];
  const bad = checks.filter(([ok]) => !ok).map(([, field]) => field);
  if (bad.length > 0) return `missing or mistyped field(s): ${bad.join(', ')}`;
  const config = r.config as Record<string, unknown>;
  if (typeof config.epochs !== 'number' || typeof config.stress !== 'boolean') return 'config.epochs or config.stress missing';
  return null;
}

/**
 * Parses a runs.jsonl file (one {@link RunRecord} per line, as the benchmark appends them).
 * Blank lines are ignored. A last line without its final newline that does not parse is what a
 * process killed while appending leaves: it is skipped and reported through `warn` (default
 * console.warn).
 * @throws Error `<path>:<line>: <problem>` for any other line that is not JSON or not a run record;
 *   the file system's error when the file cannot be read.
 */
export function readRuns(path: string, options: { warn?: (message: string) => void } = {}): RunRecord[] {
  const warn = options.warn ?? ((m: string) => console.warn(m));
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const unterminated = lines.length - 1; // index of the text after the last newline ('' when the file ends with one)
  const records: RunRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    let problem: string | null;
    try {
      value = JSON.parse(line);
      problem = runRecordProblem(value);
    } catch (e) {
      problem = `not valid JSON (${(e as Error).message})`;
    }
    if (problem === null) {
      records.push(value as RunRecord);
      return;
    }
    if (i === unterminated && problem.startsWith('not valid JSON')) {
      warn(`${path}:${i + 1}: skipping the truncated last line (${line.length} characters, no final newline): the process writing it was probably killed.`);
      return;
    }
    throw new Error(`${path}:${i + 1}: ${problem}.`);
  });
  return records;
}

/**
 * Makes a runs.jsonl file that {@link readRuns} accepted safe to append to: a truncated last line
 * (no final newline, not a record: what a process killed while appending leaves) is cut off, and
 * a complete last record that only lacks its newline gets one. Without this, the next appended
 * record would continue the broken line and the file would no longer parse.
 * @returns 'unchanged', 'truncated' (the broken line was removed) or 'terminated' (a newline was added).
 */
export function prepareRunsForAppend(path: string): 'unchanged' | 'truncated' | 'terminated' {
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return 'unchanged';
  const lineStart = bytes.lastIndexOf(0x0a) + 1;
  const tail = bytes.subarray(lineStart).toString('utf8');
  let complete = false;
  try {
    complete = runRecordProblem(JSON.parse(tail)) === null;
  } catch {
    complete = false;
  }
  if (complete) {
    appendFileSync(path, '\n');
    return 'terminated';
  }
  truncateSync(path, lineStart);
  return 'truncated';
}
