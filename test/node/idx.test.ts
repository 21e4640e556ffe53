import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readIdx } from '../../src/node/idx.js';

const dir = mkdtempSync(join(tmpdir(), 'idx-'));

/** Writes an IDX file byte by byte (big-endian), independently of the reader. */
function idxBytes(typeCode: number, shape: number[], body: number[], bytesPerElement: number, writer: (v: DataView, o: number, x: number) => void): Buffer {
  const buf = Buffer.alloc(4 + 4 * shape.length + body.length * bytesPerElement);
  buf[2] = typeCode;
  buf[3] = shape.length;
  shape.forEach((d, i) => buf.writeUInt32BE(d, 4 + 4 * i));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  body.forEach((x, i) => writer(view, 4 + 4 * shape.length + i * bytesPerElement, x));
  return buf;
}

function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('readIdx', () => {
  it('reads uint8 images [2, 2, 3]', () => {
    const body = [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255];
    const p = file('u8', idxBytes(0x08, [2, 2, 3], body, 1, (v, o, x) => v.setUint8(o, x)));
    const idx = readIdx(p);
    expect(idx.dtype).toBe('uint8');
    expect(idx.shape).toEqual([2, 2, 3]);
    expect(Array.from(idx.data)).toEqual(body);
  });

  it.each([
    [0x09, 'int8', 1, (v: DataView, o: number, x: number) => v.setInt8(o, x), [-128, -1, 0, 127]],
    [0x0b, 'int16', 2, (v: DataView, o: number, x: number) => v.setInt16(o, x, false), [-32768, -2, 300, 32767]],
    [0x0c, 'int32', 4, (v: DataView, o: number, x: number) => v.setInt32(o, x, false), [-2147483648, -5, 70000, 2147483647]],
    [0x0d, 'float32', 4, (v: DataView, o: number, x: number) => v.setFloat32(o, x, false), [-1.5, 0, 0.25, 1e10]],
    [0x0e, 'float64', 8, (v: DataView, o: number, x: number) => v.setFloat64(o, x, false), [-1e-300, Math.PI, 0, 7]],
  ] as const)('reads big-endian type 0x%s (%s)', (code, dtype, bytes, writer, body) => {
    const p = file(`t${code}`, idxBytes(code, [4], [...body], bytes, writer));
    const idx = readIdx(p);
    expect(idx.dtype).toBe(dtype);
    expect(idx.shape).toEqual([4]);
    expect(Array.from(idx.data)).toEqual([...body]);
  });

  it('reads a gzipped file', () => {
    const p = file('gz.gz', gzipSync(idxBytes(0x08, [3], [7, 8, 9], 1, (v, o, x) => v.setUint8(o, x))));
    expect(Array.from(readIdx(p).data)).toEqual([7, 8, 9]);
  });

  const labels = idxBytes(0x08, [5], [1, 2, 3, 4, 5], 1, (v, o, x) => v.setUint8(o, x));
  it.each([
    ['missing', () => join(dir, 'nope'), /nope: not found/],
    ['a directory', () => { const d = join(dir, 'adir'); mkdirSync(d, { recursive: true }); return d; }, /adir: is a directory/],
    ['too short', () => file('short', Buffer.from([0, 0])), /short: 2 bytes, too short/],
    ['wrong magic', () => file('magic', Buffer.concat([Buffer.from([1, 2]), labels.subarray(2)])), /magic: wrong magic number: starts with 0x0102/],
    ['unknown type code', () => { const b = Buffer.from(labels); b[2] = 0x0a; return file('type', b); }, /type: unsupported element type code 0x0a/],
    ['truncated', () => file('trunc', labels.subarray(0, labels.length - 2)), /trunc: size 11 bytes does not match its header: shape \[5\] of uint8 needs 13 bytes \(truncated file\)/],
    ['trailing bytes', () => file('trail', Buffer.concat([labels, Buffer.from([0])])), /trail: .*trailing bytes/],
    ['header cut', () => file('hdr', idxBytes(0x08, [5, 5, 5], [], 1, () => {}).subarray(0, 10)), /hdr: 10 bytes, too short for a header of 3 dimensions/],
    ['bad gzip', () => file('badgz', Buffer.from([0x1f, 0x8b, 1, 2, 3])), /badgz: looks gzipped but does not decompress/],
  ])('names the file and the problem when it is %s', (_what, make, message) => {
    expect(() => readIdx(make())).toThrow(message);
  });
});
