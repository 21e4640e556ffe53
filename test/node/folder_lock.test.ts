import { existsSync, mkdirSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockFolder } from '../../src/node/folder_lock.js';

describe('lockFolder', () => {
  it('holds the folder and frees it on release', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const release = lockFolder(dir);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    release(); // twice is harmless
    lockFolder(dir)(); // free again
  });

  it('refuses a folder that is held, naming the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const release = lockFolder(dir);
    try {
      expect(() => lockFolder(dir)).toThrow(`${dir} is in use by another benchmark; wait for it to finish, or choose another --out`);
    } finally {
      release();
    }
  });

  it('refuses a fresh lock of another process, and takes over one nobody has refreshed for a minute', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lock-'));
    const lock = join(dir, LOCK_FILE);
    mkdirSync(lock); // as another process' lock looks on disk
    expect(() => lockFolder(dir)).toThrow('is in use by another benchmark');
    const old = new Date(Date.now() - 120_000);
    utimesSync(lock, old, old); // its process died two minutes ago
    const release = lockFolder(dir);
    expect(existsSync(lock)).toBe(true);
    release();
  });
});
