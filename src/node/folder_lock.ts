import lockfile from 'proper-lockfile';
import { join } from 'node:path';

/** Name of the lock {@link lockFolder} creates inside the folder (a directory, made atomically). */
export const LOCK_FILE = '.bench.lock';

/** A lock whose holder has not refreshed it for this long (ms) belongs to a dead process. */
const STALE_MS = 60_000;

/**
 * Takes the folder `dir` for this process, so that two benchmark invocations never append to the
 * same runs.jsonl at once. The lock is `dir/.bench.lock`, created atomically and refreshed every
 * 15 s by proper-lockfile; a lock left by a process that died without releasing it (kill -9, a
 * crash) is taken over once it has not been refreshed for 60 s. Released on normal exit and on
 * signals. `onLost` hears of a lock that could not be refreshed (the run goes on).
 * Returns a function that releases the lock.
 * @throws Error naming the folder when another running process holds it.
 */
export function lockFolder(dir: string, onLost: (message: string) => void = (m) => console.warn(m)): () => void {
  const lockfilePath = join(dir, LOCK_FILE);
  try {
    const release = lockfile.lockSync(dir, {
      lockfilePath,
      realpath: false,
      stale: STALE_MS,
      update: 15_000,
      onCompromised: (e) => onLost(`warning: the lock ${lockfilePath} could not be kept (${e.message}); another benchmark may now use ${dir}.`),
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      try {
        release();
      } catch {
        // already gone (compromised, or removed by hand): nothing to release
      }
    };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new Error(
        `${dir} is in use by another benchmark; wait for it to finish, or choose another --out ` +
          `(a lock left by a killed benchmark, ${lockfilePath}, expires ${STALE_MS / 1000} s after its process died).`,
      );
    }
    throw e;
  }
}
