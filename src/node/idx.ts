import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Element types of the IDX format (LeCun et al.'s MNIST file format), by type code. */
const IDX_TYPES = {
  0x08: { name: 'uint8', bytes: 1 },
  0x09: { name: 'int8', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
} as const;

/** The element type of an IDX file. */
export type IdxDType = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['name'];

/** The typed array that holds the elements of each IDX element type. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: element type, dimensions (outermost first) and the elements in row-major order. */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxData;
}

/**
 * Reads an IDX file (the format of MNIST, Fashion-MNIST, EMNIST, ...): two zero bytes, a type
 * code, the number of dimensions, one big-endian uint32 per dimension, then the elements,
 * big-endian. A gzipped file (`.gz`, as distributed online) is decompressed with Node's zlib.
 *
 * @param path the file's path.
 * @returns `{dtype, shape, data}`; `data.length` is the product of `shape`.
 * @throws Error naming the file when it is missing, a directory, too short, has a wrong magic
 *   number or an unknown type code, or when its size does not match its header (truncated or
 *   trailing bytes).
 */
export function readIdx(path: string): IdxArray {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new Error(`IDX file ${path}: not found.`);
  }
  if (stats.isDirectory()) throw new Error(`IDX file ${path}: is a directory, not an IDX file.`);
  let bytes: Buffer = readFileSync(path);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new Error(`IDX file ${path}: looks gzipped but does not decompress (${(e as Error).message}).`);
    }
  }
  return parseIdx(bytes, path);
}

/** Parses the bytes of an IDX file; `source` names it in errors. See {@link readIdx}. */
export function parseIdx(bytes: Uint8Array, source = 'buffer'): IdxArray {
  const fail = (problem: string): never => {
    throw new Error(`IDX file ${source}: ${problem}`);
  };
  if (bytes.length < 4) fail(`${bytes.length} bytes, too short for the 4-byte magic number.`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(`wrong magic number: starts with 0x${hex(bytes[0])}${hex(bytes[1])}, an IDX file starts with 0x0000.`);
  }
  const code = bytes[2] as keyof typeof IDX_TYPES;
  const type = IDX_TYPES[code];
  if (type === undefined) {
    fail(`unsupported element type code 0x${hex(bytes[2])}; allowed: 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64.`);
  }
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(`${bytes.length} bytes, too short for a header of ${rank} dimensions (${headerBytes} bytes).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    fail(
      `size ${bytes.length} bytes does not match its header: shape [${shape.join(', ')}] of ${type.name} needs ` +
        `${expected} bytes (${bytes.length < expected ? 'truncated file' : 'trailing bytes'}).`,
    );
  }
  return { dtype: type.name, shape, data: decode(view, headerBytes, count, type.name) };
}

function decode(view: DataView, offset: number, count: number, dtype: IdxDType): IdxData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int8':
      return new Int8Array(view.buffer, view.byteOffset + offset, count).slice();
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
