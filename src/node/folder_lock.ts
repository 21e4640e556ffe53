import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

/** Name of the lock {@link lockFolder} creates inside the folder (a directory, made atomically). */
export const LOCK_FILE = '.bench.lock';

/** A lock whose holder has not refreshed it for this long (ms) is taken over, whatever its process id says. */
const STALE_MS = 60_000;

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
 * The id of the process holding the lock, from `<lock>.pid` (beside the lock: proper-lockfile's
 * lock directory must stay empty), or null when unknown: no file yet, or a file older than the
 * lock itself (left by an earlier holder; the new one has not written its id yet).
 */
function holderOf(lockPath: string): number | null {
  const pidFile = `${lockPath}.pid`;
  try {
    if (statSync(pidFile).mtimeMs < statSync(lockPath).birthtimeMs) return null;
  } catch {
    return null;
  }
  return readPid(pidFile);
}

/**
 * Takes the folder `dir` for this process, so that two benchmark invocations never append to the
 * same runs.jsonl at once. The lock is the directory `dir/.bench.lock`, created atomically by
 * proper-lockfile and refreshed every 15 s, with this process' id inside. A lock whose process is
 * gone (killed with -9, a crash) is taken over at once; any lock not refreshed for 60 s too.
 * Released on normal exit and on signals. `onLost` hears of a lock that could not be refreshed
 * (the run goes on). Returns a function that releases the lock.
 * @throws Error naming the folder (and the other process' id) when a running process holds it.
 */
export function lockFolder(dir: string, onLost: (message: string) => void = (m) => console.warn(m)): () => void {
  const lockPath = join(dir, LOCK_FILE);
  const take = () =>
    lockfile.lockSync(dir, {
      lockfilePath: lockPath,
      realpath: false,
      stale: STALE_MS,
      update: 15_000,
      onCompromised: (e) => onLost(`warning: the lock ${lockPath} could not be kept (${e.message}); another benchmark may now use ${dir}.`),
    });
  let release: () => void;
  try {
    release = take();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOCKED') throw e;
    const holder = holderOf(lockPath);
    if (holder === null || holder === process.pid || alive(holder)) throw inUse(dir, lockPath, holder);
    // Its process is gone: make the lock look stale, so that proper-lockfile takes it over; unless
    // another process has replaced it meanwhile (a new id inside), which then holds the folder.
    const past = new Date(Date.now() - 2 * STALE_MS);
    utimesSync(lockPath, past, past);
    const now = holderOf(lockPath);
    if (now !== holder) throw inUse(dir, lockPath, now);
    try {
      release = take();
    } catch (again) {
      if ((again as NodeJS.ErrnoException).code === 'ELOCKED') throw inUse(dir, lockPath, holderOf(lockPath));
      throw again;
    }
  }
  const pidFile = `${lockPath}.pid`;
  writeFileSync(pidFile, `${process.pid}\n`);
  let released = false;
  const releaseAll = () => {
    if (released) return;
    released = true;
    process.off('exit', releaseAll);
    try {
      release();
    } catch {
      // already gone (compromised, or removed by hand): nothing to release
    }
    if (readPid(pidFile) === process.pid) rmSync(pidFile, { force: true });
  };
  process.on('exit', releaseAll);
  return releaseAll;
}

/** The process id in `file`, or null when there is none (no file, or not a number). */
function readPid(file: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

function inUse(dir: string, lockPath: string, holder: number | null): Error {
  return new Error(
    `${dir} is in use by another benchmark${holder === null ? '' : ` (process ${holder})`}; wait for it to finish, or choose ` +
      `another --out (if no benchmark runs there, delete ${lockPath}).`,
  );
}
