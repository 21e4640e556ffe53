import * as tf from '@tensorflow/tfjs';
import { checkNumber } from '../layers/common.js';
import type { TestRecord } from './record.js';
import { checkLabelledImages } from './train.js';

/**
 * Evaluates a softmax classifier: mean categorical cross-entropy, accuracy and the
 * misclassification rate (percent), reading `batchSize` images at a time.
 *
 * @param images float32 [N, features]; @param labels one-hot float32 [N, classes].
 * @throws Error when N is 0, images and labels differ in N, or `batchSize` is not an integer >= 1.
 */
export function evaluateClassifier(
  model: tf.LayersModel,
  images: tf.Tensor2D,
  labels: tf.Tensor2D,
  batchSize = 1000,
): TestRecord {
  checkLabelledImages('evaluateClassifier', '', { images, labels });
  checkNumber('evaluateClassifier', 'batchSize', batchSize, { min: 1, integer: true });
  const total = images.shape[0];
  let lossSum = 0;
  let errors = 0;
  for (let start = 0; start < total; start += batchSize) {
    const size = Math.min(batchSize, total - start);
    const [loss, wrong] = tf.tidy(() => {
      const x = images.slice([start, 0], [size, -1]);
      const y = labels.slice([start, 0], [size, -1]);
      const p = model.predict(x) as tf.Tensor2D;
      const l = tf.metrics.categoricalCrossentropy(y, p).sum();
      const w = tf.notEqual(p.argMax(-1), y.argMax(-1)).sum();
      return [l.dataSync()[0], w.dataSync()[0]];
    });
    lossSum += loss;
    errors += wrong;
  }
  return {
    loss: lossSum / total,
    accuracy: (total - errors) / total,
    misclassificationRate: (100 * errors) / total,
    errors,
    total,
  };
}
