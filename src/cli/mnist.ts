import { join } from 'node:path';
import type { RunConfig, RunRecord } from '../experiment/record.js';
import { runExperiment } from '../experiment/run.js';
import { selectBackend } from '../node/backend.js';
import { machineInfo, versionInfo } from '../node/environment.js';
import { writeJsonAtomic } from '../node/files.js';
import { loadMnist } from '../node/mnist.js';
import { consoleProgress } from '../node/progress.js';
import { activationFlag, ensureOutDir, backendFlag, intFlag, outFlag, parseFlags, stockKernelsFlag, PROTOCOL_FLAGS, PROTOCOL_HELP, protocolFromFlags } from './options.js';

const HELP = `npm run mnist -- [options]

The experiment of Atoum (2023) on the real MNIST: Dense 784-512-512-10, the chosen activation in
the hidden layers, softmax output, categorical cross-entropy, Adamax, batch 128, 20 epochs,
validation on the test set after every epoch; AReLU's slope is set to the training loss after
every epoch. Prints the test misclassification rate and writes one JSON record into --out.

Options:
  --activation NAME   hidden activation, any registered name (default arelu)
  --seed N            seed of the initial weights and of the shuffling (default 1)
  --out DIR           folder for the JSON record (default results/)
${PROTOCOL_HELP}`;

const FLAGS = { ...PROTOCOL_FLAGS, activation: { type: 'string' }, seed: { type: 'string' } } as const;

/** Runs the MNIST example with command-line arguments `argv`; returns the record (and the file it wrote). */
export async function mnistMain(argv: string[], out: NodeJS.WriteStream = process.stdout): Promise<{ record: RunRecord; file: string } | null> {
  const { values } = parseFlags(argv, FLAGS);
  if (values.help) {
    out.write(`${HELP}\n`);
    return null;
  }
  const config: RunConfig = {
    activation: activationFlag('activation', (values.activation as string | undefined) ?? 'arelu'),
    seed: intFlag('seed', values.seed as string | undefined, 1, 0, 2 ** 31 - 1),
    ...protocolFromFlags(values),
  };
  const backendChoice = backendFlag(values.backend as string | undefined);
  const stockKernels = stockKernelsFlag(values['stock-kernels'] as boolean | undefined, backendChoice);
  // Created last, so that a usage error leaves no empty folder behind.
  const outDir = ensureOutDir(outFlag(values.out as string | undefined, 'results'));
  const backend = await selectBackend(backendChoice, { stockKernels });
  out.write(`${backend.description}\n`);
  const data = loadMnist({ dir: config.dataDir, trainSize: config.trainSize, testSize: config.testSize });
  out.write(
    `MNIST: ${config.trainSize} training / ${config.testSize} test images; activation ${config.activation}, seed ${config.seed}, ` +
      `${config.epochs} epoch${config.epochs === 1 ? "" : "s"}, batch ${config.batchSize}, Adamax lr ${config.lr}` +
      (config.activation === 'arelu' ? `, initial slope ${config.initialSlope}` : '') +
      '\n',
  );
  try {
    const record = await runExperiment(
      config,
      data,
      { backend: backend.name, kernels: backend.kernels, machine: machineInfo(), versions: versionInfo() },
      { hooks: consoleProgress({ stream: out }) },
    );
    const t = record.test;
    if (record.diverged) out.write(`training diverged (loss ${record.epochs.at(-1)?.loss}); stopped after epoch ${record.epochs.length}\n`);
    out.write(`misclassification rate: ${t.misclassificationRate.toFixed(2)}% (${t.errors}/${t.total})\n`);
    out.write(`test loss ${t.loss.toFixed(4)}, ${record.samplesPerSecond.toFixed(0)} training samples/s, ${(record.wallSeconds / 60).toFixed(1)} min\n`);
    const stamp = record.startedAt.replace(/[:.]/g, '-');
    const file = join(outDir, `mnist-${config.activation}-seed${config.seed}-${stamp}.json`);
    writeJsonAtomic(file, record);
    out.write(`record: ${file}\n`);
    return { record, file };
  } finally {
    data.train.images.dispose();
    data.train.labels.dispose();
    data.test.images.dispose();
    data.test.labels.dispose();
  }
}
