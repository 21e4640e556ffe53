import * as vega from 'vega';
import { describe, expect, it } from 'vitest';
import { dejavuFontFiles, readFontMetrics } from '../../src/bench/fonts.js';
import { activationStyles, curvePlotSpec, EPOCH_METRICS, metricCurves, renderSvg, styleOrder, svgToPng } from '../../src/bench/plots.js';
import { fakeRecord } from '../helpers/run_records.js';

describe('readFontMetrics', () => {
  it('measures DejaVu Sans: proportional widths that scale with the font size', () => {
    const m = readFontMetrics(dejavuFontFiles().regular);
    const bold = readFontMetrics(dejavuFontFiles().bold);
    expect(m.width('', 12)).toBe(0);
    expect(m.width('iiii', 12)).toBeLessThan(m.width('MMMM', 12));
    expect(m.width('relu', 24)).toBeCloseTo(2 * m.width('relu', 12), 10);
    expect(m.width('ab', 12)).toBeCloseTo(m.width('a', 12) + m.width('b', 12), 10);
    expect(bold.width('epoch', 12)).toBeGreaterThan(m.width('epoch', 12));
    // DejaVu Sans averages well under vega's 0.8 em per character guess
    const w = m.width('test accuracy (%)', 10) / 17;
    expect(w).toBeGreaterThan(4);
    expect(w).toBeLessThan(7);
  });
});

describe('styles', () => {
  it('keeps Table I order first, then the rest by name; dashes after ten', () => {
    expect(styleOrder(['zeta', 'relu', 'alpha', 'arelu', 'relu'], ['arelu', 'sigmoid', 'relu', 'arelu'])).toEqual(['arelu', 'relu', 'alpha', 'zeta']);
    const names = Array.from({ length: 12 }, (_, i) => `a${i}`);
    const s = activationStyles(names);
    expect(s.get('a0')!.dash).toEqual([]);
    expect(s.get('a10')!.color).toBe(s.get('a0')!.color);
    expect(s.get('a10')!.dash).not.toEqual([]);
    expect(new Set(names.slice(0, 10).map((n) => s.get(n)!.color)).size).toBe(10);
  });
});

describe('curvePlotSpec and rendering', () => {
  const curves = [
    { activation: 'relu', points: [{ epoch: 1, n: 2, mean: 0.9, std: 0.01, min: 0.89, max: 0.91 }, { epoch: 2, n: 2, mean: 0.95, std: 0.01, min: 0.94, max: 0.96 }] },
    { activation: 'arelu', points: [{ epoch: 1, n: 2, mean: 0.92, std: 0.02, min: 0.91, max: 0.925 }, { epoch: 2, n: 2, mean: 0.97, std: 0.01, min: 0.96, max: 0.98 }] },
  ];

  type SpecView = {
    title: { subtitle: string };
    data: { values: Array<{ activation: string; epoch: number; mean: number; lo: number; hi: number }> };
    layer: Array<{ encoding: { color?: { scale: { domain: string[] } } } }>;
  };
  const arelu1 = (spec: SpecView) => spec.data.values.find((d) => d.activation === 'arelu' && d.epoch === 1)!;

  it('orders the legend by the last epoch, scales values, and bands min-max by default', () => {
    const spec = curvePlotSpec(curves, { title: 'T', yTitle: 'test accuracy (%)', scale: 100 }) as unknown as SpecView;
    expect(spec.layer[1].encoding.color!.scale.domain).toEqual(['arelu', 'relu']);
    expect(arelu1(spec).mean).toBeCloseTo(92, 10);
    expect(arelu1(spec).lo).toBeCloseTo(91, 10);
    expect(arelu1(spec).hi).toBeCloseTo(92.5, 10);
    expect(spec.title.subtitle).toBe('line: mean over seeds; band: min to max over seeds (n = 2 seeds)');
  });

  it('bands mean ± sd on request, and appends a note to the subtitle', () => {
    const spec = curvePlotSpec(curves, { title: 'T', yTitle: 'y', scale: 100, band: 'sd', note: '1 diverged run not drawn' }) as unknown as SpecView;
    expect(arelu1(spec).lo).toBeCloseTo(90, 10);
    expect(arelu1(spec).hi).toBeCloseTo(94, 10);
    expect(spec.title.subtitle).toBe('line: mean over seeds; band: mean ± 1 sample standard deviation (n = 2 seeds); 1 diverged run not drawn');
    // one seed: no band layer
    const single = curvePlotSpec([{ activation: 'relu', points: [{ epoch: 1, n: 1, mean: 1, std: null, min: 1, max: 1 }] }], { title: 'T', yTitle: 'y' });
    expect((single as unknown as SpecView).layer).toHaveLength(1);
  });

  it('metricCurves leaves diverged runs out and counts them', () => {
    const runs = new Map([
      ['relu', [fakeRecord({ activation: 'relu', seed: 1, mr: 2, valAcc: [0.9, 0.95] }), fakeRecord({ activation: 'relu', seed: 2, mr: 90, valAcc: [0.9, 0.1], diverged: true })]],
      ['elu', [fakeRecord({ activation: 'elu', seed: 1, mr: 90, diverged: true })]],
    ]);
    const accuracy = EPOCH_METRICS.find((m) => m.slug === 'test-accuracy')!;
    const { curves: drawn, divergedLeftOut } = metricCurves(runs, accuracy);
    expect(divergedLeftOut).toBe(2);
    expect(drawn.map((c) => c.activation)).toEqual(['relu']);
    expect(drawn[0].points.map((p) => [p.n, p.mean])).toEqual([[1, 0.9], [1, 0.95]]);
  });

  it('renders SVG with the legend and axis titles, restores vega\'s text measurer, and rasterizes to PNG', async () => {
    const textMetrics = (vega as unknown as { textMetrics: { width: unknown } }).textMetrics;
    const before = textMetrics.width;
    const svg = await renderSvg(curvePlotSpec(curves, { title: 'Test accuracy', yTitle: 'test accuracy (%)', scale: 100 }));
    expect(textMetrics.width).toBe(before);
    // overlapping renders lay text out alike and still restore it
    const spec = curvePlotSpec(curves, { title: 'Test accuracy', yTitle: 'test accuracy (%)', scale: 100 });
    expect(await Promise.all([renderSvg(spec), renderSvg(spec)])).toEqual([svg, svg]);
    expect(textMetrics.width).toBe(before);
    for (const t of ['>Test accuracy<', '>test accuracy (%)<', '>epoch<', '>activation<', '>relu<', '>arelu<']) expect(svg).toContain(t);
    const png = svgToPng(svg, 1);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    // width and height from the IHDR chunk match the SVG's size at scale 1
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    const width = Number(/width="(\d+)"/.exec(svg)![1]);
    expect(view.getUint32(16)).toBe(width);
  });
});
