import { describe, expect, it } from 'vitest';
import { createLogger, createProgress, formatProgress, REDACTED } from '../../runner/log.ts';
import { memoryStream } from './helpers.ts';

const SECRETS = ['hunter2', 'cs-123', 'at-456', 'Bearer tok-789', 'ann@example.com', '+15551234567', 'Ann Example', 'sid=abc', 'rt-000'];

describe('logs', () => {
  it('redacts secrets and personal data wherever they sit', async () => {
    const { stream, text } = memoryStream();
    const log = createLogger({ destination: stream, name: 'test', level: 'debug' });
    log.info({ password: 'hunter2', clientSecret: 'cs-123', name: 'Ann Example' }, 'top level');
    log.info({ connector: { clientSecret: 'cs-123', accessToken: 'at-456', refresh_token: 'rt-000' } }, 'one level');
    log.info({ req: { headers: { authorization: 'Bearer tok-789', cookie: 'sid=abc' } } }, 'headers');
    log.warn({ record: { identifiers: ['email:ann@example.com', 'phone:+15551234567'], fields: { Email: 'ann@example.com' } } }, 'record');
    log.error({ a: { b: { c: { email: 'ann@example.com', phone: '+15551234567', subject: ['ann@example.com'] } } } }, 'deep');
    log.debug({ batch: [{ contact: { email: 'ann@example.com', name: 'Ann Example' } }] }, 'arrays');
    log.child({ subject: 'ann@example.com' }).info('child bindings');
    log.flush();
    await new Promise((r) => setImmediate(r));
    const out = text();
    expect(out.split('\n').filter(Boolean)).toHaveLength(7);
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).toContain(REDACTED);
    const first = JSON.parse(out.split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ component: 'test', msg: 'top level', password: REDACTED });
  });
});

describe('progress', () => {
  it('formats counts, rate and ETA', () => {
    expect(formatProgress({ label: 'apply', done: 250, total: 1000, elapsedMs: 10_000 })).toBe('apply 250/1000 (25%) 25.0/s ETA 30s');
    expect(formatProgress({ label: '', done: 0, total: 10, elapsedMs: 0 })).toBe('0/10 (0%) 0.0/s ETA ?');
    expect(formatProgress({ label: 'x', done: 10, total: 10, elapsedMs: 5000 })).toContain('ETA 0s');
  });

  it('draws on a terminal, throttled, and stays quiet in CI or when not a terminal', () => {
    let t = 0;
    const writes: string[] = [];
    const tty = { isTTY: true, write: (s: string) => writes.push(s) };
    const p = createProgress({ total: 100, label: 'apply', stream: tty, env: {}, now: () => t, intervalMs: 100 });
    expect(p.enabled).toBe(true);
    p.tick();
    t = 50;
    p.tick();
    t = 150;
    p.tick(3);
    p.done();
    expect(writes.filter((w) => w.includes('apply'))).toHaveLength(3);
    expect(writes.at(-1)).toBe('\n');

    const quiet: string[] = [];
    const ci = createProgress({ total: 10, stream: { isTTY: true, write: (s: string) => quiet.push(s) }, env: { CI: 'true' } });
    const pipe = createProgress({ total: 10, stream: { isTTY: false, write: (s: string) => quiet.push(s) }, env: {} });
    for (const q of [ci, pipe]) {
      q.tick(5);
      q.done();
      expect(q.enabled).toBe(false);
    }
    expect(quiet).toEqual([]);
    expect(pipe.line()).toContain('5/10');
  });
});
