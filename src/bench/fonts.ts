import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The font every plot uses, in the SVG and in the PNG. */
export const PLOT_FONT = 'DejaVu Sans';

/** Paths of DejaVuSans.ttf and DejaVuSans-Bold.ttf from the npm package dejavu-fonts-ttf. */
export function dejavuFontFiles(): { regular: string; bold: string } {
  // A require bound to this module (import.meta.url is shimmed in the CommonJS build). A bundler's
  // ESM output defines a `require` stand-in without `resolve`, so never use a global `require`.
  const req = createRequire(import.meta.url);
  return {
    regular: req.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
    bold: req.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  };
}

/** Horizontal advance widths of a TrueType font, enough to measure a line of text (no kerning). */
export interface FontMetrics {
  /** Width of `text` at `fontSize` pixels. */
  width(text: string, fontSize: number): number;
}

/**
 * Reads the advance widths of a TrueType font from its `head`, `hhea`, `hmtx` and `cmap`
 * (format 4, Unicode BMP) tables. Characters the font lacks get the width of its glyph 0.
 * @throws Error naming the file when a table is missing or the cmap has no format-4 subtable.
 */
export function readFontMetrics(path: string): FontMetrics {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tables = new Map<string, number>();
  const numTables = view.getUint16(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    tables.set(buf.toString('latin1', rec, rec + 4), view.getUint32(rec + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`readFontMetrics: ${path} has no '${tag}' table.`);
    return offset;
  };
  const unitsPerEm = view.getUint16(table('head') + 18);
  const numberOfHMetrics = view.getUint16(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advance = (glyph: number) => view.getUint16(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));

  const cmap = table('cmap');
  let sub = -1;
  for (let i = 0; i < view.getUint16(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = view.getUint16(rec);
    const encoding = view.getUint16(rec + 2);
    const offset = cmap + view.getUint32(rec + 4);
    if (((platform === 3 && encoding === 1) || platform === 0) && view.getUint16(offset) === 4) {
      sub = offset;
      break;
    }
  }
  if (sub < 0) throw new Error(`readFontMetrics: ${path} has no format-4 Unicode cmap.`);
  const segCount = view.getUint16(sub + 6) / 2;
  const ends = sub + 14;
  const starts = ends + 2 * segCount + 2;
  const deltas = starts + 2 * segCount;
  const rangeOffsets = deltas + 2 * segCount;
  const glyphOf = (code: number): number => {
    for (let s = 0; s < segCount; s++) {
      if (code > view.getUint16(ends + 2 * s)) continue;
      const start = view.getUint16(starts + 2 * s);
      if (code < start) return 0;
      const delta = view.getUint16(deltas + 2 * s);
      const ro = view.getUint16(rangeOffsets + 2 * s);
      if (ro === 0) return (code + delta) & 0xffff;
      const g = view.getUint16(rangeOffsets + 2 * s + ro + 2 * (code - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  const charWidth = (code: number): number => {
    let w = cache.get(code);
    if (w === undefined) {
      w = advance(code > 0xffff ? 0 : glyphOf(code)) / unitsPerEm;
      cache.set(code, w);
    }
    return w;
  };
  return {
    width(text: string, fontSize: number): number {
      let em = 0;
      for (const ch of text) em += charWidth(ch.codePointAt(0) ?? 0);
      return em * fontSize;
    },
  };
}
