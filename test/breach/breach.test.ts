/**
 * `lethe breach scope` on a hand-checkable world (test/breach/world.ts). Worked out by hand:
 * exposed records: 5 CRM contacts in the window (Gus is before it) + Dan's Genesys contact + 4 voice
 * conversations (c3 is a chat) = 10. People: Ann, Bob, Carol, Eve, Fay, Dan (contact + c2), the
 * caller of c5 = 7; c1 carries only the household phone shared by Bob and Carol (flagged, merged
 * with no one), c4 no identifier. Jurisdictions: DE Ann; ES Eve (address), c5 (+34); FR Dan; US Bob
 * and Carol (their own household phone gives the country, never a merge); Fay's +44 20 number is
 * not valid for any one region: unknown.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subjectHash } from '../../engine/masking/keys.ts';
import { lethe } from '../dsr/cli-run.ts';
import { breachWorld, HOUSEHOLD_PHONE, INCIDENT, writeSnapshot } from './world.ts';

const KEY = 'a'.repeat(64);
let dir: string;
let env: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lethe-breach-'));
  writeSnapshot(join(dir, 'snap'), breachWorld());
  writeFileSync(join(dir, 'inc.yaml'), INCIDENT);
  env = process.env.LETHE_HMAC_KEY;
  process.env.LETHE_HMAC_KEY = KEY;
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (env === undefined) delete process.env.LETHE_HMAC_KEY;
  else process.env.LETHE_HMAC_KEY = env;
});

function args(incident = join(dir, 'inc.yaml')): string[] {
  return ['breach', 'scope', '--incident', incident, '--policies', 'policies', '--snapshot', join(dir, 'snap'), '--out', join(dir, 'out'), '--store', join(dir, 'store'), '--state-dir', join(dir, 'state'), '--now', '2026-03-28T12:00:00Z', '--actor', 'tester'];
}

describe('lethe breach scope', () => {
  it('counts the people, jurisdictions and categories of the hand-checked world', async () => {
    const r = await lethe(args());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'breach.json'), 'utf8'));
    expect(report.counts).toEqual({ records: 10, subjects: 7, byJurisdiction: { DE: 1, ES: 2, FR: 1, US: 2, unknown: 1 }, sharedOnlyRecords: 1, flaggedIdentifiers: 1, noSubjectRecords: 1 });
    expect(report.exposures.map((e: { records: number; maskedOnly: boolean }) => [e.records, e.maskedOnly])).toEqual([[5, false], [1, true], [4, false]]);
    expect(report.maskedOnly).toBe(false);
    expect(report.categories).toEqual([
      { category: 'contact', visibility: 'partial', sources: ['salesforce/contact'] },
      { category: 'identifier', visibility: 'clear', sources: ['genesys/conversation', 'genesys/external-contact', 'salesforce/contact'] },
    ]);
    // 72 hours from 10:00 CET on 27 March, across the switch to CEST on 29 March.
    expect(report.clock).toMatchObject({ awareAt: '2026-03-27T09:00:00.000Z', deadline: '2026-03-30T09:00:00.000Z', deadlineLocal: '2026-03-30T11:00:00+02:00', hoursLeft: 45, overdue: false });
    expect(report.notification.b).toContain('Dana Officer');
    expect(report.notification.a).toContain('Approximately 7 data subjects and 10 records');

    // The people to notify are in the request store only (0600), grouped, never merged through the household phone.
    const notify = JSON.parse(readFileSync(join(dir, 'store', 'breaches', 'inc-2026-03-bucket', 'notify.json'), 'utf8'));
    expect(statSync(join(dir, 'store', 'breaches', 'inc-2026-03-bucket', 'notify.json')).mode & 0o777).toBe(0o600);
    expect(notify.subjects).toHaveLength(7);
    expect(notify.sharedIdentifiersForReview).toEqual([HOUSEHOLD_PHONE]);
    const dan = notify.subjects.find((s: { identifiers: string[] }) => s.identifiers.includes('email:dan@example.com'));
    expect(dan).toEqual({ identifiers: ['email:dan@example.com', 'gc:g-dan', 'phone:+33612345678'], jurisdictions: ['FR'], records: 2 });
    for (const s of notify.subjects) expect(s.identifiers).not.toContain(HOUSEHOLD_PHONE);

    // No personal data in the reports; the audit event names subjects by keyed hash only.
    const plain = ['ann@example.com', '+4915112345678', 'dan@example.com', '+12125550123', '+34612345678'];
    for (const f of ['breach.json', 'breach.md', 'breach.html']) {
      const text = readFileSync(join(dir, 'out', f), 'utf8');
      for (const p of plain) expect(text).not.toContain(p);
    }
    const audit = readFileSync(join(dir, 'state', 'audit.jsonl'), 'utf8');
    for (const p of plain) expect(audit).not.toContain(p);
    const entry = JSON.parse(audit.trim().split('\n').at(-1)!);
    expect(entry.type).toBe('breach.scoped');
    expect(entry.actor).toBe('tester');
    expect(entry.subject).toContain(subjectHash('email:ann@example.com', Buffer.from(KEY, 'hex')));
    expect(entry.subject).toContain(subjectHash(HOUSEHOLD_PHONE, Buffer.from(KEY, 'hex')));
    expect(entry.data.decisions).toEqual([{ at: '2026-03-27T11:00:00.000Z', by: 'dpo-dana', decision: 'notify the authority' }]);
    const html = readFileSync(join(dir, 'out', 'breach.html'), 'utf8');
    expect(html).toContain('2026-03-30T11:00:00+02:00');
    expect(html).not.toMatch(/<script/);
  });

  it('a record with no identifier of its own reaches its person through its links (a task of Ann\'s contact is Ann)', async () => {
    const world = breachWorld();
    const task = (id: string, links: Array<{ system: string; type: string; id: string }>) => ({ system: 'salesforce', type: 'task', id, createdAt: '2025-06-01T10:00:00.000Z', identifiers: [], links, fields: { Subject: 'Call' } });
    world['salesforce/task'] = [task('00T000000000001AAA', [{ system: 'salesforce', type: 'contact', id: '003000000000001AAA' }]), task('00T000000000002AAA', [])];
    writeSnapshot(join(dir, 'snap'), world);
    writeFileSync(join(dir, 'inc.yaml'), INCIDENT.replace('exposed:\n', 'exposed:\n  - {system: salesforce, type: task}\n'));
    const r = await lethe(args());
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'breach.json'), 'utf8'));
    // Two more records; the linked task is Ann (no new person, DE stays 1), the unlinked one has no subject.
    expect(report.counts).toEqual({ records: 12, subjects: 7, byJurisdiction: { DE: 1, ES: 2, FR: 1, US: 2, unknown: 1 }, sharedOnlyRecords: 1, flaggedIdentifiers: 1, noSubjectRecords: 2 });
  });

  it('says when only masked data and keyed hashes were exposed', async () => {
    writeFileSync(join(dir, 'inc.yaml'), INCIDENT.replace(/exposed:\n(.*\n){3}/, 'exposed:\n  - {system: genesys, type: external-contact, destination: analytics-export}\n'));
    const r = await lethe(args());
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'breach.json'), 'utf8'));
    expect(report.maskedOnly).toBe(true);
    expect(report.counts.subjects).toBe(1);
    expect(report.counts.byJurisdiction).toEqual({ FR: 1 });
    expect(report.categories).toEqual([{ category: 'identifier', visibility: 'keyed-hash', sources: ['genesys/external-contact'] }]);
  });

  const bad: Array<[string, (s: string) => string, RegExp]> = [
    ['an unknown system', (s) => s.replace('{system: genesys, type: conversation', '{system: genesis, type: conversation'), /inc\.yaml:9:\d+ exposed\[2\]\.system: unknown system "genesis" \(did you mean genesys\?\)/],
    ['an unknown record type', (s) => s.replace('type: conversation', 'type: conversations'), /inc\.yaml:9:\d+ exposed\[2\]\.type: unknown record type "conversations" for genesys \(did you mean conversation\?\)/],
    ['an impossible window', (s) => s.replace('to: 2026-01-01T00:00:00Z', 'to: 2024-01-01T00:00:00Z'), /inc\.yaml:5:\d+ window\.to: impossible window/],
    ['a window starting after awareness', (s) => s.replace('window: {from: 2025-01-01T00:00:00Z, to: 2026-01-01T00:00:00Z}', 'window: {from: 2026-03-27T10:00:00Z, to: 2026-04-01T00:00:00Z}'), /window\.from: impossible window: it starts .* after awareAt/],
    ['a time zone that does not exist', (s) => s.replace('Europe/Berlin', 'Europe/Berlinn'), /inc\.yaml:3:\d+ timeZone: timeZone must be an IANA time zone/],
    ['a date that is not on the calendar', (s) => s.replace('2026-03-27T10:00:00+01:00', '2026-02-30T10:00:00+01:00'), /inc\.yaml:2:\d+ awareAt: awareAt must be a real date-time/],
    ['a field the type lacks', (s) => s.replace('fields.mediaType', 'fields.mediaKind'), /exposed\[2\]\.when: fields\.mediaKind is not a field of genesys\/conversation/],
    ['a destination that does not cover the type', (s) => s.replace('{system: genesys, type: conversation,', '{system: genesys, type: conversation, destination: analytics-export,'), /exposed\[2\]\.destination: no MaskingPolicy of destination "analytics-export" covers genesys\/conversation/],
  ];
  for (const [what, edit, message] of bad) {
    it(`refuses ${what} with a located error and writes nothing`, async () => {
      writeFileSync(join(dir, 'inc.yaml'), edit(INCIDENT));
      const r = await lethe(args());
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(dir, 'out'))).toBe(false);
      expect(existsSync(join(dir, 'state', 'audit.jsonl'))).toBe(false);
      expect(existsSync(join(dir, 'store', 'breaches'))).toBe(false);
    });
  }

  it('fails closed on an incomplete snapshot (a missing hold source) and on a missing exposed type', async () => {
    rmSync(join(dir, 'snap', 'genesys', 'legal-hold.ndjson'));
    let r = await lethe(args());
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/genesys\/legal-hold\.ndjson: missing: the snapshot is incomplete/);
    writeSnapshot(join(dir, 'snap2'), Object.fromEntries(Object.entries(breachWorld()).filter(([k]) => k !== 'genesys/conversation')));
    r = await lethe(args().map((a) => (a === join(dir, 'snap') ? join(dir, 'snap2') : a)));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/inc\.yaml:9:\d+ exposed\[2\]\.type: the snapshot .* has no genesys\/conversation\.ndjson/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
