import * as tf from '@tensorflow/tfjs';

/**
 * Saves `model` through tfjs' memory handlers (`tf.io.withSaveHandler`) and loads it back with
 * `tf.loadLayersModel(tf.io.fromMemory(...))`, exactly as a file round trip does minus the disk.
 * Also returns the saved topology JSON so that tests can look at class names.
 */
export async function saveAndLoad(model: tf.LayersModel): Promise<{ loaded: tf.LayersModel; topology: string }> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (artifacts === undefined) throw new Error('save handler was not called');
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { loaded, topology: JSON.stringify(artifacts.modelTopology) };
}
