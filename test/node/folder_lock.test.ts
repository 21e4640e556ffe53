import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockFolder } from '../../src/node/folder_lock.js';

/** The id of a process that has exited (ids are not reused at once). */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/** A lock as another process leaves it on disk: the directory, then its id beside it. */
function foreignLock(dir: string, pid: number | null): string {
  const lock = join(dir, LOCK_FILE);
  mkdirSync(lock);
  if (pid !== null) writeFileSync(`${lock}.pid`, `${pid}\n`);
  return lock;
}

describe('lockFolder', () => {
  it('holds the folder with this process id and frees it on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const release = lockFolder(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    expect(readFileSync(join(dir, `${LOCK_FILE}.pid`), 'utf8')).toBe(`${process.pid}\n`);
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(existsSync(join(dir, `${LOCK_FILE}.pid`))).toBe(false);
    release(); // twice is harmless
    lockFolder(dir)(); // free again
  });

  it('refuses a folder this process holds already', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const release = lockFolder(dir);
    try {
      expect(() => lockFolder(dir)).toThrow(`${dir} is in use by another benchmark (process ${process.pid}); wait for it to finish, or choose another --out`);
    } finally {
      release();
    }
  });

  it('refuses the lock of a running process, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    foreignLock(dir, process.ppid); // the test runner's parent: alive
    expect(() => lockFolder(dir)).toThrow(`is in use by another benchmark (process ${process.ppid})`);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true); // left alone
  });

  it('takes over at once the lock of a process that is gone (killed with -9)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    foreignLock(dir, deadPid());
    const release = lockFolder(dir);
    expect(readFileSync(join(dir, `${LOCK_FILE}.pid`), 'utf8')).toBe(`${process.pid}\n`);
    release();
  });

  it('refuses a lock whose holder has not written its id yet, until nobody has refreshed it for a minute', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const lock = foreignLock(dir, null);
    expect(() => lockFolder(dir)).toThrow(/is in use by another benchmark; wait/);
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old);
    lockFolder(dir)();
  });
});
