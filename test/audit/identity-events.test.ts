/**
 * Identity-resolution audit events over the emulated systems (real HTTP on 127.0.0.1): discovery
 * and an access export write lookup, expansion, discovery and export events whose subjects are
 * keyed hashes; `lethe audit subject` finds them from any one identifier of the person, finds the
 * household phone only as a flagged hash, never merges the other person in, and the plain
 * identifiers are written nowhere in the audit log.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectHash } from '../../engine/masking/keys.ts';
import { identityEntries } from '../../runner/audit/identity.ts';
import { approveRequest, openRequest } from '../../runner/dsr/intake.ts';
import { exportRequest } from '../../runner/dsr/export.ts';
import { discoverStep } from '../../runner/dsr/workflow.ts';
import { lethe } from '../dsr/cli-run.ts';
import { ann, HMAC_HEX, household, startWorld, type World } from '../dsr/world.ts';
import { letheBin } from '../lethe-bin.ts';
import { HANG_GUARD_MS } from '../hang-guard.ts';

describe('identity-resolution audit events', () => {
  let w: World;
  const saved = process.env.LETHE_HMAC_KEY;
  beforeAll(async () => {
    w = await startWorld([ann(Date.now()), ...household(Date.now())], []);
    process.env.LETHE_HMAC_KEY = HMAC_HEX; // the key the world's requests and events are hashed with
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.LETHE_HMAC_KEY;
    else process.env.LETHE_HMAC_KEY = saved;
    await w.stop();
  });

  it('hashes the same normalised identifier alike everywhere', () => {
    const key = Buffer.alloc(32, 7);
    const [a, b] = identityEntries(
      [
        { type: 'identity.lookup', identifiers: ['email:Ann@Example.COM'], systems: ['salesforce', 'genesys'] },
        { type: 'identity.expansion', identifiers: ['email:ann@example.com', 'phone:+14155550101'], flagged: ['phone:+14155550199'], systems: ['genesys'] },
      ],
      key,
    );
    expect(a!.subject).toEqual([subjectHash('email:ann@example.com', key)]);
    expect(a!.data!.systems).toEqual(['genesys', 'salesforce']);
    expect(b!.subject).toContain(subjectHash('email:ann@example.com', key));
    expect(b!.data!.flagged).toEqual([subjectHash('phone:+14155550199', key)]);
  });

  it('discovery and export are audited by keyed hash and found again by any one identifier', async () => {
    const [a, bob] = [w.people[0]!, w.people[1]!];
    const r0 = await openRequest(w.ctx, { type: 'access', emails: [a.emails[0]!], verification: { method: 'email-challenge', reference: 'T-1' } });
    await discoverStep(w.ctx, r0.id, { connectors: w.connectors, bundle: w.bundle });
    await approveRequest(w.ctx, r0.id);
    await exportRequest(w.ctx, r0.id, { connectors: w.connectors, config: w.sandbox.config, env: w.env, out: join(w.dir, 'export'), pollIntervalMs: 20, pollTimeoutMs: HANG_GUARD_MS });
    const rb = await openRequest(w.ctx, { type: 'access', emails: [bob.emails[0]!], verification: { method: 'email-challenge', reference: 'T-2' } });
    await discoverStep(w.ctx, rb.id, { connectors: w.connectors, bundle: w.bundle });

    const log = readFileSync(w.ctx.auditFile, 'utf8');
    for (const plain of [...a.emails, ...a.phones, ...bob.emails, ...bob.phones]) expect(log).not.toContain(plain.replace(/^\+/, ''));

    // Ann by a phone she never gave: the expansion found it, so every event about her is reachable from it.
    const byPhone = await lethe(['audit', 'subject', '--identifier', a.phones[1]!, '--log', w.ctx.auditFile, '--json']);
    expect(byPhone.code).toBe(0);
    const events = byPhone.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { request?: string } });
    const types = new Set(events.map((e) => e.type));
    for (const t of ['identity.expansion', 'identity.discovery', 'identity.export']) expect(types).toContain(t);
    expect(events.every((e) => e.data.request === undefined || e.data.request === r0.id)).toBe(true);
    expect(byPhone.out + byPhone.err).not.toContain(a.phones[1]!.replace(/^\+/, ''));

    // The same from standard input (no identifier in the command line or shell history).
    const piped = spawnSync(process.execPath, [letheBin(), 'audit', 'subject', '--log', w.ctx.auditFile, '--json'], { input: `${a.phones[1]!}\n`, encoding: 'utf8', env: { ...process.env, LETHE_HMAC_KEY: HMAC_HEX } });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(byPhone.out);

    // By the e-mail she gave: also the request's own transitions and the first look-up round.
    const byEmail = await lethe(['audit', 'subject', '--identifier', `email:${a.emails[0]!.toUpperCase()}`, '--log', w.ctx.auditFile, '--json']);
    const emailTypes = new Set(byEmail.out.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type));
    for (const t of ['identity.lookup', 'dsr.transition', 'identity.export']) expect(emailTypes).toContain(t);

    // Bob's household phone is shared with Cat: his expansion names it only as a flagged hash; Cat's e-mail finds nothing.
    const household = bob.phones.find((p) => p === bob.householdPhone)!;
    const byHousehold = await lethe(['audit', 'subject', '--identifier', household, '--log', w.ctx.auditFile, '--json']);
    const hh = byHousehold.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string; subject?: string[]; data: { flagged?: string[]; request?: string } });
    const h = subjectHash(`phone:${household}`, w.ctx.hmacKey);
    expect(hh.some((e) => e.type === 'identity.expansion' && e.data.request === rb.id && e.data.flagged?.includes(h) && !e.subject?.includes(h))).toBe(true);
    const cat = await lethe(['audit', 'subject', '--identifier', w.people[2]!.emails[0]!, '--log', w.ctx.auditFile]);
    expect(cat.out).toBe('');
    expect(cat.err).toMatch(/^0 event\(s\) about the subject/);
  });

  it('refuses an identifier it cannot normalise without echoing it', async () => {
    const r = await lethe(['audit', 'subject', '--identifier', 'not-an-identifier-secret', '--log', w.ctx.auditFile]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--identifier #1 is not an identifier/);
    expect(r.err).not.toContain('secret');
  });
});
