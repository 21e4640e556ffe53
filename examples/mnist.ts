/**
 * The paper's experiment (Atoum 2023) on the real MNIST: `npm run mnist -- --help` for options.
 * A thin script: the training routine is the library's, shared with the benchmark.
 */
import { mnistMain } from '../src/cli/mnist.js';
import { reportFatal } from '../src/cli/options.js';

mnistMain(process.argv.slice(2)).catch(reportFatal);
