/**
 * The registry's behaviour facts (engine/system-facts.ts) name only the system's own declared
 * types, so the engine code that reads them (holds, consent, erasure, rederive, hold mirroring)
 * never meets a type the system does not stream; and the facts the engine used to hard-code give
 * the same answers (behaviour unchanged by the move).
 */
import { describe, expect, it } from 'vitest';
import { factsOf, REGISTRY } from '../../connectors/registry.ts';
import { CONSENT_IDENTITY_TYPES } from '../../engine/evaluate/consent-subjects.ts';
import { identityTargets, isIdentityHoldSource } from '../../engine/evaluate/identity-holds.ts';
import { conversationKind } from '../../engine/ids.ts';
import { hasNativeErasure, nativeErasureOf, nativeNoun, rectifiesNatively } from '../../engine/native-erasure.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { SystemFacts } from '../../engine/system-facts.ts';

const ALL = REGISTRY as readonly SystemFacts[];

describe('registry behaviour facts', () => {
  for (const f of ALL) {
    it(`${f.name}: every type a behaviour fact names is one of its types`, () => {
      const named = [
        ...(f.consentIdentityTypes ?? []),
        ...(f.identityHolds?.sources ?? []),
        ...(f.identityHolds?.byIdOnly ? [f.identityHolds.byIdOnly] : []),
        ...(f.rectify ? [...f.rectify.identityTypes, ...f.rectify.freeTextTypes, ...Object.keys(f.rectify.textFields ?? {})] : []),
        ...(f.mergeSets ? [f.mergeSets.type] : []),
        ...(f.nativeErasure ? [f.nativeErasure.type] : []),
        ...(f.conversationType ? [f.conversationType] : []),
      ];
      for (const t of named) expect(f.types as readonly string[], `${f.name}: ${t}`).toContain(t);
      // Every free-text type has its fields, and only those.
      if (f.rectify?.textFields) expect(Object.keys(f.rectify.textFields).sort()).toEqual([...f.rectify.freeTextTypes].sort());
      // Merge sets and identifier fields belong to identity types.
      if (f.mergeSets) expect(f.identityTypes).toContain(f.mergeSets.type);
      if (f.nativeErasure) expect(f.ops).toContain('gdpr-request');
      if (f.rectify) expect(f.ops).toContain('rectify');
      if (f.conversationType) expect(f.ops).toContain('protect');
    });
  }

  it('at most one system holds the conversations LegalHold documents name', () => {
    expect(ALL.filter((f) => f.conversationType !== undefined).length).toBeLessThanOrEqual(1);
  });

  it('gives the answers the engine used to hard-code', () => {
    expect(CONSENT_IDENTITY_TYPES).toEqual([
      { system: 'genesys', type: 'external-contact' },
      { system: 'salesforce', type: 'contact' },
      { system: 'salesforce', type: 'lead' },
      { system: 'salesforce', type: 'individual' },
      // Not hard-coded before: ServiceNow customer contacts (a gap closed with the move, test/dsr/default-identity.test.ts).
      { system: 'servicenow', type: 'customer-contact' },
    ]);
    expect(conversationKind()).toEqual({ system: 'genesys', type: 'conversation' });
    expect(['genesys', 'salesforce', 'servicenow'].filter(hasNativeErasure)).toEqual(['genesys']);
    expect(nativeErasureOf('genesys')).toEqual({ system: 'genesys', type: 'external-contact', noun: 'Genesys GDPR', prose: 'Genesys' });
    expect(nativeNoun()).toBe('Genesys GDPR');
    expect(rectifiesNatively('genesys') && !rectifiesNatively('salesforce')).toBe(true);
    expect(factsOf('salesforce')!.rectify).toEqual({
      identityTypes: ['contact', 'lead'],
      freeTextTypes: ['task', 'event', 'case'],
      // runner/dsr/rectify.ts SF_FIELDS and runner/dsr/rescan.ts FREE_TEXT_FIELDS, before the move.
      identifierFields: { email: ['Email'], phone: ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone'] },
      textFields: { task: ['Subject', 'Description'], event: ['Subject', 'Description'], case: ['Subject', 'Description'] },
    });
    expect(ALL.filter((f) => f.mergeSets).map((f) => [f.name, f.mergeSets!.type])).toEqual([['genesys', 'external-contact']]);
    expect(factsOf('genesys')!.nativeErasure).toMatchObject({ rectifies: true, updateNoun: 'Genesys GDPR_UPDATE' });
    expect(isIdentityHoldSource('salesforce', 'lead') && isIdentityHoldSource('genesys', 'external-contact') && !isIdentityHoldSource('servicenow', 'customer-contact')).toBe(true);
  });

  it('identity hold targets: a Contact its Individual, an external contact its merge set (canonical ids, not itself)', () => {
    const contact = { system: 'salesforce', type: 'contact', id: 'c1', identifiers: [], fields: {}, links: [{ system: 'salesforce', type: 'individual', id: 'i1' }, { system: 'salesforce', type: 'account', id: 'a1' }] } as unknown as LetheRecord;
    expect(identityTargets(contact)).toEqual([{ system: 'salesforce', type: 'individual', id: 'i1' }]);
    const self = '0b6e5f4a-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
    const other = '1b6e5f4a-1c2d-4e3f-8a9b-0c1d2e3f4a5b';
    const gc = { system: 'genesys', type: 'external-contact', id: self, identifiers: [], links: [], fields: { mergeSet: [self, `{${other.toUpperCase()}}`], canonicalContactId: other } } as unknown as LetheRecord;
    expect(identityTargets(gc)).toEqual([{ system: 'genesys', type: 'external-contact', id: other }]);
    expect(identityTargets({ ...contact, type: 'task' } as LetheRecord)).toEqual([]);
  });
});
