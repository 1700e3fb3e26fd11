/** maskStream (NDJSON, streaming, counts, errors by line) and the `lethe mask` command. */
import { Readable, Writable, PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createMaskContext, maskStream, MaskStreamError, UnknownKeyError } from '../../engine/masking/index.ts';
import { runMask } from '../../runner/cli/commands/mask.ts';
import { UserError } from '../../runner/cli/errors.ts';
import { contact, KEY_DEFAULT, maskingPolicy, testContext } from './helpers.ts';

const fixture = (p: string): string => fileURLToPath(new URL(`./fixtures/${p}`, import.meta.url));
const policy = maskingPolicy('analytics', { fields: { 'fields.firstName': 'redact' }, identifiers: 'hmac-sha256' });

/** A writable that collects text; optionally slow (async callbacks, tiny buffer) to exercise backpressure. */
function sink(slow = false): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: slow ? 16 : 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      if (slow) setImmediate(cb);
      else cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const lines = (...records: unknown[]): Readable => Readable.from(records.map((r) => `${typeof r === 'string' ? r : JSON.stringify(r)}\n`));

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('maskStream', () => {
  it('masks covered records, drops and counts the others', async () => {
    const out = sink();
    const summary = await maskStream(lines(contact(), contact({ type: 'lead' }), '', contact({ id: 'x2' })), out.stream, [policy], testContext());
    expect(summary).toEqual({ read: 3, written: 2, dropped: 1, droppedByType: { 'salesforce/lead': 1 } });
    const written = out.text().trim().split('\n').map((l) => JSON.parse(l) as { id: string; fields: Record<string, unknown> });
    expect(written.map((r) => r.id)).toEqual(['003000000000001AAA', 'x2']);
    expect(written[0]!.fields).toEqual({ firstName: '[REDACTED]' });
    expect(out.text()).not.toContain('Ann');
  });

  it('names a malformed line without echoing it', async () => {
    const err = await rejection(maskStream(lines(contact(), '{"system":"salesforce","fields":{"ssn":"123-45-6789"'), sink().stream, [policy], testContext()));
    expect(err).toBeInstanceOf(MaskStreamError);
    expect(err.message).toBe('line 2: not valid JSON');
    const notRecord = await rejection(maskStream(lines('', { system: 'salesforce', type: 'contact', createdAt: 'x', fields: { ssn: '123-45-6789' } }), sink().stream, [policy], testContext()));
    expect(notRecord.message).toBe('line 2: not a record: "id" is missing or not a string');
    const badIds = await rejection(maskStream(lines(contact({ identifiers: [1 as unknown as string] })), sink().stream, [policy], testContext()));
    expect(badIds.message).toBe('line 1: not a record: "identifiers" is not a list of strings');
  });

  it('fails before writing anything when a key is missing or policies conflict', async () => {
    const out = sink();
    const keyed = maskingPolicy('k', { fields: { 'fields.email': { strategy: 'hmac-sha256', key: 'crm' } } });
    await expect(maskStream(lines(contact()), out.stream, [keyed], testContext())).rejects.toBeInstanceOf(UnknownKeyError);
    expect(out.text()).toBe('');
    const other = maskingPolicy('z', { fields: {}, destination: 'crm-sync' });
    await expect(maskStream(lines(contact()), out.stream, [policy, other], testContext())).rejects.toThrow(/several destinations/);
    const twin = maskingPolicy('twin', { fields: {} });
    await expect(maskStream(lines(contact()), out.stream, [policy, twin], testContext())).rejects.toThrow(/both cover salesforce\/contact/);
  });

  it('streams many records through a slow consumer with backpressure', async () => {
    const n = 5_000;
    async function* source(): AsyncGenerator<string> {
      for (let i = 0; i < n; i++) yield `${JSON.stringify(contact({ id: `r${i}` }))}\n`;
    }
    const out = sink(true);
    const ctx = createMaskContext(new Map([['default', KEY_DEFAULT]]));
    const summary = await maskStream(Readable.from(source()), out.stream, [policy], ctx);
    expect(summary.written).toBe(n);
    const text = out.text();
    expect(text.split('\n').length - 1).toBe(n);
    expect(text.endsWith('\n')).toBe(true);
  });
});

describe('lethe mask (runMask)', () => {
  const io = (stdin: Readable = Readable.from([])) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    return { io: { stdin, stdout, stderr, env: { LETHE_HMAC_KEY: KEY_DEFAULT.toString('hex') } }, out: () => out, err: () => err };
  };

  it('masks a file for a destination and reports counts on stderr', async () => {
    const t = io();
    const summary = await runMask({ destination: 'analytics-export', policies: fixture('policies'), in: fixture('contacts.ndjson') }, t.io);
    expect(summary).toEqual({ read: 3, written: 2, dropped: 1, droppedByType: { 'salesforce/case': 1 } });
    const records = t.out().trim().split('\n').map((l) => JSON.parse(l) as { createdAt: string; fields: Record<string, unknown>; identifiers: string[] });
    expect(records[0]!.fields).toEqual({ FirstName: '[REDACTED]', Email: expect.stringMatching(/^[0-9a-f]{32}@masked\.invalid$/), Phone: '+90000004567' });
    expect(records[0]!.identifiers[0]).toBe(`email:${records[0]!.fields.Email as string}`);
    expect(records[1]!.createdAt).toBe('2020-12-01T00:00:00.000Z');
    expect(t.err()).toBe('lethe: masked for analytics-export: 3 read, 2 written, 1 dropped (not covered: salesforce/case 1)\n');
    expect(t.out()).not.toMatch(/Ann|Bob|example\.com|5551234567/);
  });

  it('reads stdin by default', async () => {
    const t = io(lines(contact()));
    const summary = await runMask({ destination: 'analytics-export', policies: fixture('policies') }, t.io);
    expect(summary.written).toBe(1);
  });

  it('reads HMAC keys named by a runner config (file relative to the config)', async () => {
    // The fixture policies name the catalogued Salesforce contact fields.
    const sfContact = contact({ fields: { FirstName: 'Ann', LastName: 'Smith', Email: 'Ann@Example.com', Phone: '+15551234567' } });
    const withEnv = io(lines(sfContact));
    await runMask({ destination: 'analytics-export', policies: fixture('policies') }, withEnv.io);
    const withConfig = io(lines(sfContact));
    await runMask({ destination: 'analytics-export', policies: fixture('policies'), config: fixture('config/runner.yaml') }, { ...withConfig.io, env: {} });
    const email = (text: string): unknown => (JSON.parse(text) as { fields: { Email: string } }).fields.Email;
    expect(email(withConfig.out())).toMatch(/^[0-9a-f]{32}@masked\.invalid$/);
    expect(email(withConfig.out())).not.toBe(email(withEnv.out())); // 0x33 key, not the 0x11 test key
    expect(withConfig.err()).not.toContain('3333');
  });

  it('turns problems into user errors naming what is wrong', async () => {
    const unknown = await rejection(runMask({ destination: 'nope', policies: fixture('policies') }, io().io));
    expect(unknown).toBeInstanceOf(UserError);
    expect(unknown.message).toMatch(/no MaskingPolicy for destination "nope" .*\(destinations: analytics-export, crm-sync\)/);
    const missing = await rejection(runMask({ destination: 'analytics-export', policies: fixture('policies'), in: fixture('absent.ndjson') }, io().io));
    expect(missing.message).toMatch(/cannot read .*absent\.ndjson \(ENOENT\)/);
    const bad = await rejection(runMask({ destination: 'analytics-export', policies: fixture('policies') }, io(lines('{"oops": secret}')).io));
    expect(bad.message).toBe('stdin: line 1: not valid JSON');
    const t = io(lines(contact()));
    const noKey = await rejection(runMask({ destination: 'analytics-export', policies: fixture('policies') }, { ...t.io, env: {} }));
    expect(noKey).toBeInstanceOf(UserError);
    expect(noKey.message).toMatch(/HMAC key "default" is not configured/);
  });
});
