/**
 * Progress that means something: records done of a total (or of an unknown total: count and rate,
 * no invented ETA), a total learnt on the way, log blocks that clear the line and redraw it below
 * themselves, and nothing at all when stderr is not a terminal. `lethe generate` piped writes only
 * its result to stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, createProgress, formatProgress, progressAwareDestination } from '../../runner/log.ts';
import { letheBin } from '../lethe-bin.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('progress line', () => {
  it('without a total shows the count and rate only; a total learnt later brings percentage and ETA', () => {
    expect(formatProgress({ label: 'snapshot genesys/recording (1/10 types done)', done: 1500, total: undefined, elapsedMs: 3000 })).toBe('snapshot genesys/recording (1/10 types done) 1500 records 500.0/s');
    let t = 0;
    const out: string[] = [];
    const p = createProgress({ total: undefined, label: 'x', stream: { isTTY: true, write: (s: string) => out.push(s) }, env: {}, now: () => t, intervalMs: 0 });
    t = 1000;
    p.tick(100);
    expect(out.at(-1)).toBe('\r\x1b[2Kx 100 records 100.0/s');
    p.update({ total: 400, label: 'y' });
    expect(out.at(-1)).toBe('\r\x1b[2Ky 100/400 (25%) 100.0/s ETA 3s');
  });

  it('a log block clears the line, is written whole, and the line is drawn again below it', () => {
    let t = 0;
    const out: string[] = [];
    const stream = { isTTY: true, write: (s: string) => out.push(s) };
    const p = createProgress({ total: 10, label: 'apply', stream, env: {}, now: () => t, intervalMs: 0 });
    t = 1000;
    p.tick(5);
    const logger = createLogger({ destination: progressAwareDestination(p, stream), pretty: false, level: 'info' });
    logger.info({ batch: 1 }, 'batch done');
    const i = out.findIndex((s) => s.includes('"batch done"'));
    expect(i).toBeGreaterThan(0);
    expect(out[i - 1]).toBe('\r\x1b[2K');
    expect(out[i]).toMatch(/\n$/);
    expect(out[i + 1]).toBe('\r\x1b[2Kapply 5/10 (50%) 5.0/s ETA 1s');
  });

  it('off the terminal: no progress output, and logs pass straight through', () => {
    const out: string[] = [];
    const p = createProgress({ total: 10, stream: { isTTY: false, write: (s: string) => out.push(s) }, env: {} });
    p.tick(3);
    p.interleave(() => out.push('log\n'));
    p.done();
    expect(out).toEqual(['log\n']);
  });
});

describe('lethe generate, piped', () => {
  it('writes only its result to stdout and nothing to stderr', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'lethe-progress-')), 'snap');
    const env = { ...process.env };
    delete env.CI;
    const r = spawnSync(process.execPath, [letheBin(), 'generate', '--seed', '3', '--records', '2000', '--now', '2025-06-01T00:00:00Z', '--out', out], { cwd: ROOT, encoding: 'utf8', env, timeout: HANG_GUARD_MS });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^snapshot .*\n/);
    expect(r.stdout).not.toMatch(/\r|\x1b/);
  });
});

/** `script` (util-linux) gives the command a terminal: the progress line is then shown on stderr. */
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!hasScript)('on a terminal', () => {
  it('generate and plan show records done of the total, with rate and ETA; plan ends at the snapshot\'s count', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lethe-progress-tty-'));
    const lethe = `${process.execPath} ${letheBin()}`;
    const cmd = `${lethe} generate --seed 3 --records 3000 --now 2025-06-01T00:00:00Z --out ${dir}/s >/dev/null && ${lethe} plan --policies policies --snapshot ${dir}/s --now 2025-06-01T00:00:00Z --insecure-demo-key --out ${dir}/p.json`;
    const env = { ...process.env };
    delete env.CI;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env, timeout: HANG_GUARD_MS });
    expect(r.status, r.stdout + r.stderr).toBe(2); // plan: actions planned
    const lines = r.stdout.split(/[\r\n]+/).map((l) => l.replace(/\x1b\[2K/g, ''));
    expect(lines.some((l) => /^generate \d+\/\d+ \(\d+%\) [\d.]+\/s ETA \S+$/.test(l))).toBe(true);
    const records = (JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8')) as { summary: { records: number } }).summary.records;
    const gen = lines.filter((l) => l.startsWith('generate ')).at(-1)!;
    expect(gen).toMatch(/^generate (\d+)\/\1 \(100%\) /);
    expect(lines.some((l) => l.startsWith(`plan ${records}/${records} (100%) `))).toBe(true);
    expect(lines.filter((l) => /^plan \d+\/\d+ /.test(l)).every((l) => l.includes(`/${records} `))).toBe(true);
  });
});
