/** The catalog reaches editors and readers: schema hints per record type, and the generated reference. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELD_CATALOG, SYSTEMS } from '../../engine/record-types.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const schema = (file: string) => JSON.parse(readFileSync(join(ROOT, 'engine/schemas', file), 'utf8')) as Record<string, any>;

describe('field catalog in the published schemas and the reference', () => {
  it('REFERENCE.md lists every field of every type', () => {
    const doc = readFileSync(join(ROOT, 'engine/schemas/REFERENCE.md'), 'utf8');
    for (const system of SYSTEMS) {
      for (const [type, fields] of Object.entries(FIELD_CATALOG[system])) {
        const section = doc.split(`### ${system} ${type}\n`)[1]?.split('\n### ')[0] ?? '';
        for (const f of fields) expect(section, `${system} ${type} ${f.name}`).toContain(`| fields.${f.name} | ${f.type} | ${f.personal ? 'yes' : 'no'} |`);
      }
    }
  });

  it('a retention policy on salesforce lead gets the lead fields as completions for when, and date fields for from', () => {
    const branches = schema('retention-policy.schema.json').properties.spec.allOf as Array<Record<string, any>>;
    const lead = branches.find((b) => b.if.properties.appliesTo.properties.type.const === 'lead' && b.if.properties.appliesTo.properties.system.const === 'salesforce')!;
    expect(Object.keys(lead.then.properties.when.properties)).toEqual(expect.arrayContaining(['fields.Status', 'fields.Company', 'createdAt']));
    expect(lead.then.properties.when.properties).not.toHaveProperty('fields.HomePhone');
    expect(lead.then.properties.from.examples).toEqual(['createdAt', 'fields.LastModifiedDate']);
    expect(branches).toHaveLength(SYSTEMS.reduce((n, s) => n + Object.keys(FIELD_CATALOG[s]).length, 0));
  });

  it('erasure scope entries, consent purges and masking fields carry hints too', () => {
    const erasure = schema('erasure-policy.schema.json').properties.spec.properties;
    const caseBranch = (erasure.scope.items.allOf as Array<Record<string, any>>).find((b) => b.if.properties.type.const === 'case')!;
    expect(caseBranch.then.properties.when.properties).toHaveProperty('fields.Type');
    expect(erasure.exceptions.items.properties.when.allOf[0].properties).toHaveProperty('fields.Type');
    const purge = schema('consent-policy.schema.json').properties.spec.properties.onWithdrawal.properties.purge.items;
    expect(purge.allOf.length).toBeGreaterThan(10);
    const masking = schema('masking-policy.schema.json').properties.spec.properties.fields.allOf[0].properties;
    expect(masking['fields.Email'].description).toContain('salesforce contact');
  });
});
