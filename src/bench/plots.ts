import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { EpochRecord, RunRecord } from '../experiment/record.js';
import { dejavuFontFiles, PLOT_FONT, readFontMetrics, type FontMetrics } from './fonts.js';
import { epochSeries, type EpochPoint } from './summary.js';

/** A vega-lite specification (what the plot builders below return). */
export type PlotSpec = vl.TopLevelSpec;

/** Shared look: DejaVu Sans everywhere (the PNG renderer loads exactly that font), white background. */
export const PLOT_CONFIG = {
  // A browser without DejaVu Sans shows the SVG in its own sans-serif rather than its default serif.
  font: `${PLOT_FONT}, sans-serif`,
  background: 'white',
  padding: 12,
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#444', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', symbolType: 'stroke', symbolStrokeWidth: 3, symbolSize: 250, labelLimit: 220 },
  header: { labelFontSize: 12, labelFontWeight: 'bold' },
  view: { stroke: '#bbb' },
} as const;

let metrics: { regular: FontMetrics; bold: FontMetrics } | null = null;

function fontMetrics(): { regular: FontMetrics; bold: FontMetrics } {
  if (metrics === null) {
    const files = dejavuFontFiles();
    metrics = { regular: readFontMetrics(files.regular), bold: readFontMetrics(files.bold) };
  }
  return metrics;
}

interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}
type TextWidth = (item: TextItem, text: unknown) => number;
// vega-scenegraph's text measurer, re-exported by vega but missing from its typings. Without a
// canvas package vega guesses 0.8 em per character; we measure DejaVu Sans, the font we render.
const textMetrics = (vega as unknown as { textMetrics: { width: TextWidth } }).textMetrics;

function measure(item: TextItem, text: unknown): number {
  const t = text == null ? '' : String(text).trim();
  const size = item.fontSize != null ? Number(item.fontSize) || 0 : 11;
  const w = item.fontWeight;
  const bold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && Number(w) >= 600);
  const m = fontMetrics();
  return (bold ? m.bold : m.regular).width(t, size);
}

/**
 * Renders a vega-lite spec to an SVG string with vega's headless View (`renderer: 'none'`), text
 * laid out with DejaVu Sans metrics (vega's own text measurer is swapped in and restored).
 */
export async function renderSvg(spec: PlotSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  // Renders may overlap (toSVG is asynchronous): the first one in swaps the measurer, the last one out restores it.
  if (rendersInFlight++ === 0) {
    savedWidth = textMetrics.width;
    textMetrics.width = measure;
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
    if (--rendersInFlight === 0 && savedWidth !== null) {
      textMetrics.width = savedWidth;
      savedWidth = null;
    }
  }
}

let rendersInFlight = 0;
let savedWidth: TextWidth | null = null;

/** Rasterizes an SVG to PNG bytes with resvg and the DejaVu fonts only (no system fonts), at `scale` x. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const files = dejavuFontFiles();
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      fontFiles: [files.regular, files.bold],
      loadSystemFonts: false,
      defaultFontFamily: PLOT_FONT,
      sansSerifFamily: PLOT_FONT,
    },
  });
  return resvg.render().asPng();
}

/** One activation's curve over epochs. */
export interface Curve {
  activation: string;
  points: EpochPoint[];
}

/** How one activation is drawn: the same in every plot of a report. */
export interface LineStyle {
  color: string;
  /** Dash pattern ([] = solid). */
  dash: number[];
}

const DASHES: number[][] = [[], [7, 3], [2, 2], [10, 3, 2, 3]];

/**
 * A style per name, in the given order: the ten tableau10 colours solid, then the same colours
 * dashed, then dotted, then dash-dotted (so up to 40 names stay distinguishable). Give the names in
 * a fixed order (e.g. {@link styleOrder}) so that an activation keeps its look across plots.
 */
export function activationStyles(names: readonly string[]): Map<string, LineStyle> {
  const palette = vega.scheme('tableau10') as string[];
  return new Map(names.map((name, i) => [name, { color: palette[i % 10], dash: DASHES[Math.floor(i / 10) % DASHES.length] }]));
}

/** `names` without repeats, those of `preferred` first in its order, the rest alphabetically. */
export function styleOrder(names: Iterable<string>, preferred: readonly string[] = []): string[] {
  const set = new Set(names);
  const first = [...new Set(preferred)].filter((n) => set.has(n));
  const rest = [...set].filter((n) => !first.includes(n)).sort();
  return [...first, ...rest];
}

/** Options of {@link curvePlotSpec}. */
export interface CurvePlotOptions {
  title: string;
  /** Axis title with unit, e.g. 'test accuracy (%)'. */
  yTitle: string;
  /** Multiplies every value (100 for fractions shown in percent). Default 1. */
  scale?: number;
  /** Include 0 in the y domain. Default false. */
  zero?: boolean;
  /** Colour and dash per activation. Default: {@link activationStyles} of the curves' names sorted alphabetically. */
  styles?: ReadonlyMap<string, LineStyle>;
  /**
   * The shaded band around each mean: 'range' = min to max over seeds (never leaves the values'
   * possible range, and shows an outlying seed whole), 'sd' = mean ± 1 sample standard deviation.
   * Default 'range'. The subtitle says which.
   */
  band?: 'range' | 'sd';
  /** Appended to the subtitle, e.g. which runs were left out. */
  note?: string;
}

/** 'n = 5 seeds' or 'n = 3-5 seeds per point'. */
function seedsText(curves: readonly Curve[]): string {
  const ns = curves.flatMap((c) => c.points.map((p) => p.n));
  if (ns.length === 0) return 'no data';
  const lo = Math.min(...ns);
  const hi = Math.max(...ns);
  if (lo === hi) return `n = ${lo} seed${lo === 1 ? '' : 's'}`;
  return `n = ${lo}–${hi} seeds per point`;
}

const BAND_TEXT = { range: 'band: min to max over seeds', sd: 'band: mean ± 1 sample standard deviation' } as const;

/**
 * A line per activation (mean over seeds at each epoch) with a shaded band (min-max over seeds, or
 * mean ± one sample standard deviation: `options.band`), x = epoch, colour and dash = activation;
 * the legend is ordered by the last epoch's mean, highest first, so that it reads in the same order
 * as the curves' right ends.
 */
export function curvePlotSpec(curves: readonly Curve[], options: CurvePlotOptions): PlotSpec {
  const k = options.scale ?? 1;
  const band = options.band ?? 'range';
  const values = curves.flatMap((c) =>
    c.points.map((p) => ({
      activation: c.activation,
      band: c.activation,
      epoch: p.epoch,
      mean: k * p.mean,
      lo: k * (band === 'range' ? p.min : p.mean - (p.std ?? 0)),
      hi: k * (band === 'range' ? p.max : p.mean + (p.std ?? 0)),
      n: p.n,
    })),
  );
  const order = [...curves]
    .map((c) => ({ name: c.activation, last: c.points.at(-1)?.mean ?? Number.NEGATIVE_INFINITY }))
    .sort((a, b) => b.last - a.last || (a.name < b.name ? -1 : 1))
    .map((c) => c.name);
  const styles = options.styles ?? activationStyles([...order].sort());
  const style = (name: string): LineStyle => styles.get(name) ?? { color: '#000000', dash: [] };
  const maxEpoch = Math.max(1, ...values.map((v) => v.epoch));
  // Colour and dash encode the same field with the same title, so vega-lite draws one legend for both.
  const byActivation = (range: unknown[]) => ({ field: 'activation', type: 'nominal', title: 'activation', sort: order, scale: { domain: order, range } });
  const color = byActivation(order.map((n) => style(n).color));
  const strokeDash = byActivation(order.map((n) => style(n).dash));
  const x = {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { domain: [1, maxEpoch], nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  };
  const y = { type: 'quantitative', scale: { zero: options.zero ?? false } };
  const hasBand = curves.some((c) => c.points.some((p) => p.n > 1));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title,
      subtitle: `line: mean over seeds; ${BAND_TEXT[band]} (${seedsText(curves)})${options.note ? `; ${options.note}` : ''}`,
    },
    width: 560,
    height: 340,
    config: PLOT_CONFIG,
    data: { values },
    layer: [
      ...(hasBand
        ? [
            {
              // fill of a copy of the field: vega-lite merges the legends of one field, and one
              // `legend: null` would hide them all; the legend shows only the lines.
              mark: { type: 'area', opacity: 0.18 },
              encoding: { x, y: { ...y, field: 'lo', title: options.yTitle }, y2: { field: 'hi' }, fill: { ...color, field: 'band', legend: null } },
            },
          ]
        : []),
      {
        // Points as well as the line, so that a one-epoch run is visible too.
        mark: { type: 'line', strokeWidth: 2, point: { size: 18 } },
        encoding: {
          x,
          y: { ...y, field: 'mean', title: options.yTitle },
          color,
          strokeDash,
          tooltip: [{ field: 'activation' }, { field: 'epoch' }, { field: 'mean', format: '.4f' }, { field: 'n' }],
        },
      },
    ],
  } as unknown as PlotSpec;
}

/** A per-epoch metric the report plots, read from each run's epoch records. */
export interface EpochMetric {
  /** File-name part, e.g. 'test-accuracy'. */
  slug: string;
  /** Link text in table.md. */
  label: string;
  title: string;
  yTitle: string;
  value: (e: EpochRecord) => number | null;
  scale?: number;
  zero?: boolean;
}

/** The report's per-epoch plots: the paper's Fig. 10 and 11, AReLU's slope, dead units. */
export const EPOCH_METRICS: readonly EpochMetric[] = [
  {
    slug: 'test-accuracy',
    label: 'test accuracy per epoch',
    title: 'Test accuracy per epoch (cf. Atoum 2023, Fig. 10)',
    yTitle: 'test accuracy (%)',
    value: (e) => e.valAcc,
    scale: 100,
  },
  {
    slug: 'test-loss',
    label: 'test loss per epoch',
    title: 'Test loss per epoch (cf. Atoum 2023, Fig. 11)',
    yTitle: 'test loss (categorical cross-entropy)',
    value: (e) => e.valLoss,
  },
  {
    slug: 'arelu-slope',
    label: 'AReLU slope per epoch',
    title: "AReLU slope l per epoch (the previous epoch's training loss)",
    yTitle: 'slope l of the negative part',
    value: (e) => e.slope,
    zero: true,
  },
  {
    slug: 'dead-units',
    label: 'dead units per epoch',
    title: 'Dead hidden units after each epoch (mean over the hidden layers)',
    yTitle: 'dead hidden units (%)',
    value: (e) => e.deadFraction,
    scale: 100,
    zero: true,
  },
];

/** The curves of one metric in one group, and how many runs they leave out. */
export interface MetricCurves {
  curves: Curve[];
  /** Diverged runs, not drawn: a run that stopped early would make the mean jump where it ends. */
  divergedLeftOut: number;
}

/**
 * The curves of `metric` for each activation of a group that has at least one value of it, over
 * the runs that did not diverge (an activation whose every run diverged has no curve; the table
 * counts them).
 */
export function metricCurves(runs: ReadonlyMap<string, readonly RunRecord[]>, metric: EpochMetric): MetricCurves {
  const curves: Curve[] = [];
  let divergedLeftOut = 0;
  for (const [activation, list] of runs) {
    const kept = list.filter((r) => !r.diverged);
    divergedLeftOut += list.length - kept.length;
    const points = epochSeries(kept, metric.value);
    if (points.length > 0) curves.push({ activation, points });
  }
  return { curves, divergedLeftOut };
}
