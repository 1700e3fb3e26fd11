/** Unit checks of the issue-16 pieces: states, certificate wording, export filter, native choice. */
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../engine/plan/types.ts';
import type { LetheRecord } from '../../engine/records.ts';
import { certificateStatement } from '../../runner/dsr/certificate.ts';
import type { Collected } from '../../runner/dsr/collect.ts';
import { GENESYS_NATIVE_EXPORT } from '../../connectors/genesys/export.ts';
import { attribute, filterNativeExport, WITHHELD_UNKNOWN, type Attribution, type Withheld } from '../../runner/dsr/export-filter.ts';
import { TRANSITIONS } from '../../runner/dsr/lifecycle.ts';
import { nativeIdentifiers } from '../../runner/dsr/native.ts';
import { fieldsHoldingOld } from '../../runner/dsr/rescan.ts';
import { isClosed } from '../../runner/dsr/types.ts';

const rec = (type: string, id: string, identifiers: string[], links: LetheRecord['links'] = [], system = 'genesys'): LetheRecord => ({ system, type, id, createdAt: '2026-01-01T00:00:00.000Z', identifiers, links, fields: {} });
const collected = (records: LetheRecord[], expanded: string[], flagged: string[]): Collected => ({ records, rounds: [], given: [], expanded, flagged, edges: [], mergeSets: [], holdsRead: {} });
const noPlan = { actions: [], protected: [] } as unknown as Plan;
/** The Genesys native export (plugin `nativeExport`) filtered as `lethe dsr export` does. */
const filterGenesysExport = (data: unknown, a: Attribution, withheld: Withheld[]): unknown => filterNativeExport('genesys', GENESYS_NATIVE_EXPORT, data, a, withheld);

describe('issue 16 pieces', () => {
  it('VERIFYING and INCOMPLETE are open states between EXECUTING and a close', () => {
    expect(TRANSITIONS.EXECUTING).toContain('VERIFYING');
    expect(TRANSITIONS.VERIFYING).toEqual(['COMPLETE', 'PARTIAL_HOLD', 'INCOMPLETE']);
    expect(TRANSITIONS.INCOMPLETE).toEqual(['VERIFYING', 'DISCOVERY']);
    expect(isClosed('VERIFYING') || isClosed('INCOMPLETE')).toBe(false);
  });

  it('the certificate statement matches the outcome: never "complete" with unexplained residue', () => {
    const v = { at: '2026-12-01T00:00:00.000Z', systems: {}, remaining: [{ target: { system: 'genesys', type: 'conversation', id: 'c1' }, why: 'unexplained' as const }], unexplained: 1 };
    expect(certificateStatement('INCOMPLETE', v)).toMatch(/^Erasure NOT complete: .* found 1 record/);
    expect(certificateStatement('COMPLETE', { ...v, remaining: [], unexplained: 0 })).toBe('Erasure complete: a re-scan of every system on 2026-12-01T00:00:00.000Z found nothing of the subject.');
    expect(certificateStatement('PARTIAL_HOLD', { ...v, remaining: [{ ...v.remaining[0]!, why: 'hold' }], unexplained: 0 })).toMatch(/^Erasure complete except for the 1 record/);
  });

  it('the Genesys export keeps the subject\'s contacts and conversations only, and withholds what it does not recognise', () => {
    const c = collected([rec('external-contact', 'mine', ['email:me@x.test', 'phone:+1999']), rec('conversation', 'conv-mine', ['email:me@x.test']), rec('conversation', 'conv-other', ['phone:+1999', 'gc:theirs']), rec('external-contact', 'theirs', ['phone:+1999', 'email:them@x.test'])], ['email:me@x.test', 'gc:mine'], ['phone:+1999']);
    const a = attribute(c, null);
    expect([...a.subject].sort()).toEqual(['genesys/conversation/conv-mine', 'genesys/external-contact/mine']);
    const withheld = [...a.withheld];
    const data = { externalContacts: [{ id: 'mine' }, { id: 'theirs' }], conversations: [{ conversationId: 'conv-mine' }, { conversationId: 'conv-other' }], recordings: [{ conversationId: 'conv-other', id: 'r' }], evaluations: [{ conversation: { id: 'conv-mine' } }], surprises: [{ x: 1 }] };
    expect(filterGenesysExport(data, a, withheld)).toEqual({ externalContacts: [{ id: 'mine' }], conversations: [{ conversationId: 'conv-mine' }], recordings: [], evaluations: [{ conversation: { id: 'conv-mine' } }] });
    expect(withheld.find((x) => x.reason === WITHHELD_UNKNOWN)?.count).toBe(1);
    expect(withheld.filter((x) => x.source === 'genesys-gdpr-export.json').reduce((n, x) => n + x.count, 0)).toBe(4);
    expect(filterGenesysExport('not an object', a, withheld)).toEqual({});
  });

  it('native requests may name only e-mails and phones on Genesys records that are the subject\'s alone and not on a held record', () => {
    const held = rec('conversation', 'held-conv', ['phone:+1held', 'email:me@x.test']);
    const c = collected([rec('external-contact', 'mine', ['email:me@x.test', 'email:me2@x.test', 'phone:+1home', 'phone:+1held']), held, rec('legal-hold', 'held-conv', [], [{ system: 'genesys', type: 'conversation', id: 'held-conv' }]), rec('contact', 'sf1', ['email:only-sf@x.test'], [], 'salesforce')], ['email:me@x.test', 'email:me2@x.test', 'phone:+1held', 'email:only-sf@x.test'], ['phone:+1home']);
    expect(nativeIdentifiers(c, noPlan, 'dsr-1')).toEqual({ eligible: ['email:me2@x.test'], excluded: [{ identifier: 'email:me@x.test', why: 'held' }, { identifier: 'phone:+1held', why: 'held' }, { identifier: 'phone:+1home', why: 'shared' }] });
  });

  it('free text holding an old value is found whatever its case', () => {
    const r = { ...rec('task', 't1', [], [], 'salesforce'), fields: { Description: 'Mail OLD@X.test', Subject: 'call', Other: 3 } };
    expect(fieldsHoldingOld(r, ['old@x.test'])).toEqual(['Description']);
  });
});
