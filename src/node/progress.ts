import cliProgress from 'cli-progress';
import type { EpochRecord } from '../experiment/record.js';
import type { TrainHooks } from '../experiment/train.js';

/** How often (in batches) the bar re-reads the running loss; a read is a device sync. */
const LOSS_EVERY = 20;

/** One Keras-style line for a finished epoch. */
export function formatEpoch(r: EpochRecord, epochs: number): string {
  const parts = [
    `Epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}`,
    `${r.seconds.toFixed(1)}s`,
    `loss: ${fmt(r.loss)}`,
    `acc: ${fmt(r.acc)}`,
  ];
  if (r.valLoss !== null) parts.push(`val_loss: ${fmt(r.valLoss)}`);
  if (r.valAcc !== null) parts.push(`val_acc: ${fmt(r.valAcc)}`);
  if (r.slope !== null) parts.push(`slope: ${fmt(r.slope)}`);
  if (r.deadFraction !== null) parts.push(`dead: ${(100 * r.deadFraction).toFixed(1)}%`);
  return parts.join(' - ');
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

/**
 * Training hooks that print like Keras: on a terminal, a progress bar over each epoch's batches
 * (with the running loss and the time left), then one line per epoch; elsewhere (CI, a log file)
 * only the epoch lines.
 */
export function consoleProgress(options: { stream?: NodeJS.WriteStream; bar?: boolean; prefix?: string } = {}): TrainHooks {
  const stream = options.stream ?? process.stdout;
  const useBar = options.bar ?? Boolean(stream.isTTY);
  const prefix = options.prefix ?? '';
  let epochs = 0;
  let batches = 0;
  let epoch = 0;
  let bar: cliProgress.SingleBar | null = null;
  let lossSum = 0;
  let lossCount = 0;
  return {
    onTrainBegin(info) {
      epochs = info.epochs;
      batches = info.batchesPerEpoch;
    },
    onBatchEnd(batch, readLoss) {
      if (!useBar) return;
      if (bar === null) {
        epoch += 1;
        lossSum = 0;
        lossCount = 0;
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${prefix}Epoch ${epoch}/${epochs} [{bar}] {value}/{total} - loss: {loss} - ETA {eta_formatted}`,
            barsize: 30,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.legacy,
        );
        bar.start(batches, 0, { loss: '-' });
      }
      const update: { loss?: string } = {};
      if (batch % LOSS_EVERY === 0) {
        const l = readLoss();
        if (l !== undefined) {
          lossSum += l;
          lossCount += 1;
          update.loss = (lossSum / lossCount).toFixed(4);
        }
      }
      bar.update(batch + 1, update);
    },
    onEpochEnd(record) {
      if (bar !== null) {
        bar.stop();
        bar = null;
      } else {
        epoch = record.epoch;
      }
      stream.write(`${prefix}${formatEpoch(record, epochs)}\n`);
    },
  };
}
