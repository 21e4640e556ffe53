import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { cpus, platform, arch } from 'node:os';
import type { RunRecord } from '../experiment/record.js';

/** The machine a run happens on, for its record: CPU model, core count, Node version, platform. */
export function machineInfo(): RunRecord['machine'] {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${platform()}-${arch()}`,
  };
}

/** Versions of tfjs and of this package, for a run's record. */
export function versionInfo(): RunRecord['versions'] {
  return { tfjs: tf.version.tfjs, tfjsActivations: packageVersion() };
}

function packageVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tfjs-activations' && pkg.version) return pkg.version;
    } catch {
      // try the next location (source tree vs dist/node)
    }
  }
  return 'unknown';
}
