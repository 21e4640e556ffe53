/**
 * The CLIs under faults, as a user meets them. `npm run bench`: Ctrl-C and a hard kill in the
 * middle of a grid, a record cut in half, and a diverging run; each test spawns `node --import
 * tsx src/cli/bench_main.ts` on a tiny grid (1 epoch, 300 training / 100 test images, wasm, one
 * worker). `npm run mnist`: Ctrl-C during training leaves no record, whole or partial.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readRuns } from '../../src/bench/report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// Each test starts node processes one after the other; on a loaded 2-core machine that can
// take well over vitest's 60 s default.
const SLOW = { timeout: 180_000 };
const TINY = ['--epochs', '1', '--train-size', '300', '--test-size', '100', '--backend', 'wasm', '--workers', '1'];

const dirs: string[] = [];
const running = new Set<ChildProcess>();
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
// A failed assertion must not leave a grid running: end the process group of every bench started here.
afterEach(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGKILL');
  running.clear();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bench-faults-'));
  dirs.push(d);
  return d;
}

/** Sends `signal` to the bench and its worker (its own process group), as a terminal's Ctrl-C does. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    // already gone
  }
}

interface Bench {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startBench(args: string[], script = 'src/cli/bench_main.ts'): Bench {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    detached: true, // its own process group, so that a test can signal the bench and its worker together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => text, exit };
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);

/** Resolves once `file` holds more than `count` lines; fails when the bench exits first. */
async function untilMoreLines(file: string, count: number, bench: Bench): Promise<void> {
  let exited = false;
  void bench.exit.then(() => (exited = true));
  while (lines(file).length <= count) {
    if (exited) throw new Error(`the bench exited before recording run ${count + 1}:\n${bench.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves once no process of the group of `child` is left (the worker included). */
async function untilGroupGone(child: ChildProcess): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      process.kill(-(child.pid as number), 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('a process of the interrupted bench is still running');
}

const seedsOf = (file: string) => readRuns(file).map((r) => r.seed);

describe('npm run bench under faults', () => {
  it('keeps every finished run through Ctrl-C, a hard kill and a half-written record, and resumes with only the missing runs', SLOW, async () => {
    const out = tempDir();
    const runs = join(out, 'runs.jsonl');
    const args = ['--activations', 'relu', '--seeds', '1-4', ...TINY, '--out', out];

    // 1. Ctrl-C (SIGINT to the whole process group) once the first run is recorded.
    const first = startBench(args);
    await untilMoreLines(runs, 0, first);
    killGroup(first.child, 'SIGINT');
    const stopped = await first.exit;
    await untilGroupGone(first.child);
    expect(stopped.code ?? stopped.signal).toBe(130);
    expect(first.output()).toMatch(/SIGINT: stopping\. \d finished run\(s\) of this invocation are in .*run the same command again to resume/);
    const afterInterrupt = readFileSync(runs, 'utf8');
    expect(afterInterrupt.endsWith('\n')).toBe(true);
    const kept = seedsOf(runs);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(4);

    // 2. A hard kill (SIGKILL, no handler runs) of the resumed grid once it recorded one more run.
    const second = startBench(args);
    await untilMoreLines(runs, kept.length, second);
    killGroup(second.child, 'SIGKILL');
    await second.exit;
    await untilGroupGone(second.child);
    expect(second.output()).toContain(`${kept.length} already in ${runs}`);
    expect(readFileSync(runs, 'utf8').startsWith(afterInterrupt)).toBe(true);
    const afterKill = seedsOf(runs);
    expect(afterKill.length).toBeGreaterThan(kept.length);
    if (existsSync(join(out, 'summary.json'))) expect(() => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).not.toThrow();

    // 3. A record cut in half, as a kill during the append would leave it.
    const whole = readFileSync(runs, 'utf8');
    appendFileSync(runs, lines(runs)[0].slice(0, 200));

    // 4. The next run completes exactly the missing runs and leaves a file that parses.
    const last = startBench(args);
    const finished = await last.exit;
    expect(finished.code, last.output()).toBe(0);
    expect(last.output()).toContain(`${afterKill.length} already in ${runs}, ${4 - afterKill.length} to run`);
    expect(last.output()).toContain('removed the truncated last line');
    expect(readFileSync(runs, 'utf8').startsWith(whole)).toBe(true);
    const warnings: string[] = [];
    expect(readRuns(runs, { warn: (m) => warnings.push(m) }).map((r) => r.seed).sort()).toEqual([1, 2, 3, 4]);
    expect(warnings).toEqual([]);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).provenance.records).toBe(4);
  });

  it('records a diverging run as diverged and goes on with the grid', SLOW, async () => {
    const out = tempDir();
    // Adamax with lr 1e38 overflows the weights to NaN within the first batches.
    const bench = startBench(['--activations', 'relu,arelu', '--seeds', '1', ...TINY, '--lr', '1e38', '--out', out]);
    const { code } = await bench.exit;
    expect(code, bench.output()).toBe(0);
    const records = readRuns(join(out, 'runs.jsonl'));
    expect(records.map((r) => [r.activation, r.diverged])).toEqual([
      ['relu', true],
      ['arelu', true],
    ]);
    expect(bench.output()).toMatch(/relu seed 1: misclassification rate .* DIVERGED/);
    expect(readFileSync(join(out, 'table.md'), 'utf8')).toMatch(/\| relu \| 1 \| 1 \|/);
  });
});

describe('npm run mnist under faults', () => {
  it('leaves no record, whole or partial, when stopped with Ctrl-C during training', SLOW, async () => {
    const out = tempDir();
    const mnist = startBench(
      ['--epochs', '20', '--train-size', '2000', '--test-size', '100', '--backend', 'wasm', '--activation', 'relu', '--out', out],
      'examples/mnist.ts',
    );
    let exited = false;
    void mnist.exit.then(() => (exited = true));
    while (!/Epoch +1\/20/.test(mnist.output())) {
      if (exited) throw new Error(`npm run mnist exited before its first epoch:\n${mnist.output()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    killGroup(mnist.child, 'SIGINT');
    const { code, signal } = await mnist.exit;
    expect(code ?? signal).toBe('SIGINT');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
