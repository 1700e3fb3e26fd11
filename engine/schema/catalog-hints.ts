/**
 * Field-catalog hints for editors: the published JSON Schemas say, per record type, which field
 * names a condition, a retention `from` or a masking policy may use, so the YAML language server
 * completes them (with type, example and whether they are personal data). Hints only: they add
 * `properties` without `type`, so they constrain nothing; the loader does the checking.
 */
import { FIELD_CATALOG, SYSTEMS, type FieldSpec } from '../record-types.ts';

type S = Record<string, unknown>;

export function fieldHint(f: FieldSpec, types?: string): S {
  const personal = f.personal ? 'personal data' : 'not personal data';
  return { description: `${f.description} (${f.type}, ${personal}, ${f.category}${types ? `; ${types}` : ''})`, examples: [f.example] };
}

const TOP: Record<string, string> = {
  createdAt: 'When the record was created (ISO 8601).',
  id: 'The record id.',
  identifiers: 'Normalised subject keys (`email:…`, `phone:…`, `sf:…`, `gc:…`).',
};

function whenProperties(fields: readonly FieldSpec[]): S {
  const out: S = {};
  for (const f of fields) out[`fields.${f.name}`] = fieldHint(f);
  for (const [k, d] of Object.entries(TOP)) out[k] = { description: d };
  return out;
}

/** `if` the selector names this system/type `then` the hints. */
function perType(selectorAt: (sel: S) => S, then: (fields: readonly FieldSpec[]) => S): S[] {
  const out: S[] = [];
  for (const system of SYSTEMS) {
    for (const [type, fields] of Object.entries(FIELD_CATALOG[system])) {
      out.push({ if: selectorAt({ properties: { system: { const: system }, type: { const: type } }, required: ['system', 'type'] }), then: then(fields) });
    }
  }
  return out;
}

function allFields(): S {
  const by = new Map<string, { spec: FieldSpec; types: string[] }>();
  for (const system of SYSTEMS) {
    for (const [type, fields] of Object.entries(FIELD_CATALOG[system])) {
      for (const f of fields) {
        const e = by.get(f.name) ?? { spec: f, types: [] };
        e.types.push(`${system} ${type}`);
        by.set(f.name, e);
      }
    }
  }
  const out: S = {};
  for (const [name, e] of [...by].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[`fields.${name}`] = fieldHint(e.spec, e.types.join(', '));
  return out;
}

const dateFields = (fields: readonly FieldSpec[]): string[] => ['createdAt', ...fields.filter((f) => f.type === 'date' || f.type === 'datetime').map((f) => `fields.${f.name}`)];

/** Adds the hints to a published schema (a plain JSON copy) of `kind`. */
export function addCatalogHints(kind: string, schema: S): void {
  const spec = ((schema.properties as S | undefined)?.spec ?? {}) as S;
  const props = (spec.properties ?? {}) as S;
  const items = (v: unknown): S => (((v as S | undefined)?.items ?? {}) as S);
  switch (kind) {
    case 'RetentionPolicy':
      spec.allOf = perType(
        (sel) => ({ properties: { appliesTo: sel }, required: ['appliesTo'] }),
        (fields) => ({ properties: { when: { properties: whenProperties(fields) }, from: { examples: dateFields(fields) } } }),
      );
      break;
    case 'ErasurePolicy': {
      items(props.scope).allOf = perType((sel) => sel, (fields) => ({ properties: { when: { properties: whenProperties(fields) } } }));
      const exception = items(props.exceptions);
      ((exception.properties as S).when as S).allOf = [{ properties: allFields() }];
      break;
    }
    case 'ConsentPolicy': {
      const purge = items(((props.onWithdrawal as S).properties as S).purge);
      purge.allOf = perType((sel) => sel, (fields) => ({ properties: { when: { properties: whenProperties(fields) } } }));
      break;
    }
    case 'MaskingPolicy':
      (props.fields as S).allOf = [{ properties: allFields() }];
      break;
  }
}
