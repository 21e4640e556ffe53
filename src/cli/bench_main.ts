#!/usr/bin/env node
/** The `tfjs-activations-bench` command (npm run bench): see --help. */
import { benchMain } from './bench.js';
import { reportFatal } from './options.js';

benchMain(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exitCode = code;
}, reportFatal);
