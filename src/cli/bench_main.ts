#!/usr/bin/env node
/** The `tfjs-activations-bench` command (npm run bench): see --help. */
import { benchMain } from './bench.js';
import { UsageError } from './options.js';

benchMain(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof UsageError ? `error: ${e.message}` : e);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
