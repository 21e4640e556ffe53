import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Name of the lock file {@link lockFolder} creates inside the folder. */
export const LOCK_FILE = '.bench.lock';

/** Whether a process with this id is running (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // running, owned by someone else
  }
}

/**
 * Takes the folder `dir` for this process: creates `dir/.bench.lock` holding this process' id,
 * atomically, so that two benchmark invocations never append to the same runs.jsonl at once.
 * A lock left by a process that no longer runs (killed with -9, a crash) is taken over.
 * Returns a function that releases the lock (also called on process exit).
 * @throws Error naming the folder and the other process' id when a running process holds it.
 */
export function lockFolder(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      // No id yet: another process has just created the file and not written it; it holds the lock.
      if (!Number.isInteger(holder) || (holder !== process.pid && alive(holder))) {
        throw new Error(
          `${dir} is in use by another benchmark (process ${Number.isInteger(holder) ? holder : 'starting'}); wait for it to finish, or choose another --out ` +
            `(if no such process is running, delete ${path}).`,
        );
      }
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      process.off('exit', release);
      rmSync(path, { force: true });
    };
    process.on('exit', release);
    return release;
  }
  throw new Error(`${dir}: could not take ${LOCK_FILE} (another process keeps creating it).`);
}
