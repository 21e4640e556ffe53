import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/bench/summary.js';
import { describeProtocol, fmt, formatTimestamp, renderTableMarkdown } from '../../src/bench/table_markdown.js';
import { TABLE1 } from '../../src/bench/table1.js';
import { summaryFixture } from '../helpers/run_records.js';

describe('renderTableMarkdown', () => {
  const summary = summarize(summaryFixture());
  const md = renderTableMarkdown(summary, {
    groups: { reference: [{ title: 'test accuracy per epoch', file: 'plots/reference-test-accuracy.png' }] },
    notes: { stress: ['No AReLU run in this group: no slope plot.'] },
    sheet: { title: 'activation sheet', file: 'plots/activations.png' },
  });

  it('holds the numbers of the summary, as computed by hand', () => {
    // relu: MR 2.0, 2.2, 2.6 -> 2.27 ± 0.31, best 2.00, paper 2.08, dead (0.1 + 0.3) / 2 = 20.0 %, 2000 samples/s
    expect(md).toContain('| relu | 3 | 1 | 2.27 ± 0.31 | 2.00 | 2.08 | 20.0 | 2000 |');
    expect(md).toContain('| arelu | 1 | 0 | 1.50 ± – | 1.50 | 1.2 | 0.0 | 1500 |');
    // the 3-epoch protocol and the stress run are tables of their own
    expect(md).toContain('| relu | 1 | 0 | 1.90 ± – | 1.90 | 2.08 | 10.0 | 1000 |');
    expect(md).toContain('| relu | 1 | 0 | 4.00 ± – | 4.00 | 2.08 | 60.0 | 1000 |');
  });

  it('has reference and stress sections in that order, each group with its protocol', () => {
    const ref = md.indexOf('## Reference protocol');
    const stress = md.indexOf('## Stress protocol');
    expect(ref).toBeGreaterThan(0);
    expect(stress).toBeGreaterThan(ref);
    const other = summary.groups[1].id;
    expect(other).toMatch(/^reference-[0-9a-f]{6}$/);
    expect(md.indexOf('### reference\n')).toBeGreaterThan(ref);
    expect(md.indexOf(`### ${other}`)).toBeGreaterThan(md.indexOf('### reference\n'));
    expect(md.indexOf('### stress')).toBeGreaterThan(stress);
    expect(md).toContain('2 epochs, batch 128, Adamax lr 0.001, 60000 training / 10000 test images');
    expect(md).toContain('hidden biases start at -1');
    expect(md).toContain('1 repeated record(s)');
  });

  it('states machine, backend, versions and date range', () => {
    expect(md).toContain('- Records: 7, from 2025-02-01 09:00 UTC to 2025-02-02 12:30 UTC');
    expect(md).toContain('- Machine: Test CPU (2 cores), linux-x64, Node v20.0.0');
    expect(md).toContain('- Backend: wasm (optimized kernels)');
    expect(md).toContain('- Versions: tfjs 4.22.0, tfjs-activations 0.1.0');
  });

  it('links the plots, shows the notes and names every Table I label', () => {
    expect(md).toContain('Plots: [test accuracy per epoch](plots/reference-test-accuracy.png).');
    expect(md).toContain('No AReLU run in this group: no slope plot.');
    expect(md).toContain('[activation sheet](plots/activations.png)');
    for (const e of TABLE1) expect(md).toContain(`${e.name} = ${e.paperLabel}`);
  });

  it('says so when a section has no runs', () => {
    const empty = renderTableMarkdown(summarize([]));
    expect(empty).toContain('No reference runs yet.');
    expect(empty).toContain('No stress runs yet.');
    expect(empty).toContain('- Records: 0\n');
  });
});

describe('formatting helpers', () => {
  it('format numbers, dates and protocols', () => {
    expect(fmt(1.005, 1)).toBe('1.0');
    expect(fmt(null, 2)).toBe('–');
    expect(fmt(Number.NaN, 2)).toBe('–');
    expect(formatTimestamp('2025-03-01T10:04:05.123Z')).toBe('2025-03-01 10:04 UTC');
    expect(formatTimestamp('not a date')).toBe('not a date');
    expect(describeProtocol({ ...summaryFixture()[0].config, probeSize: 0 })).toContain('dead units not measured');
  });
});
