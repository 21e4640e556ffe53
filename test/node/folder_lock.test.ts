import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockFolder } from '../../src/node/folder_lock.js';

/** The id of a process that has exited (ids are not reused at once). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('lockFolder', () => {
  it('holds the folder with this process id and frees it on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const release = lockFolder(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    release(); // twice is harmless
  });

  it('refuses a folder held by a running process, naming the folder and the process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    writeFileSync(join(dir, LOCK_FILE), `${process.ppid}\n`); // the test runner's parent: alive
    expect(() => lockFolder(dir)).toThrow(`${dir} is in use by another benchmark (process ${process.ppid}); wait for it to finish, or choose another --out`);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.ppid}\n`); // left alone
  });

  it('refuses a lock that is being created (no id written yet)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    writeFileSync(join(dir, LOCK_FILE), '');
    expect(() => lockFolder(dir)).toThrow('(process starting)');
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    writeFileSync(join(dir, LOCK_FILE), `${deadPid()}\n`);
    const release = lockFolder(dir);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
    release();
  });
});
