/**
 * The policy reference (engine/schemas/REFERENCE.md), generated from the same TypeBox schemas
 * as the published JSON Schema files. A test fails when the committed file is stale, and another
 * checks that every schema field appears in it and every field it lists exists in a schema.
 */
import { SHORTHAND_OPERATORS } from '../load/conditions.ts';
import { SAFE_OPERATORS, VAR_ROOTS } from '../conditions/operators.ts';
import { FIELD_CATALOG, SYSTEMS } from '../record-types.ts';
import { KINDS } from './index.ts';
import { STRATEGY_NAMES, STRATEGY_SCHEMAS } from './masking.ts';

interface Row {
  path: string;
  type: string;
  required: boolean;
  description: string;
}

type S = Record<string, unknown>;

function typeOf(s: S): string {
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (Array.isArray(s.anyOf)) return (s.anyOf as S[]).map(typeOf).join(' or ');
  if (Array.isArray(s.oneOf)) return 'strategy object';
  if (s.type === 'array') return `list of ${typeOf((s.items ?? {}) as S)}`;
  if (s.type === 'object' && s.patternProperties) return 'map';
  if (s.type === 'object' && s.properties) return 'map';
  if (s.format) return `${String(s.type)} (${String(s.format)})`;
  if (s.pattern && String(s.description ?? '').includes('ISO 8601 duration')) return 'duration';
  return String(s.type ?? 'any');
}

/** Flattens a schema into documented rows: `spec.holds.records[].id`. */
export function schemaRows(schema: S, prefix = '', required = true, out: Row[] = []): Row[] {
  const props = schema.properties as Record<string, S> | undefined;
  if (schema.type === 'object' && props) {
    const req = new Set((schema.required as string[] | undefined) ?? []);
    for (const [k, v] of Object.entries(props)) {
      const path = prefix ? `${prefix}.${k}` : k;
      out.push({ path, type: typeOf(v), required: req.has(k), description: String(v.description ?? '') });
      schemaRows(v, path, req.has(k), out);
    }
  } else if (schema.type === 'array' && schema.items) {
    schemaRows(schema.items as S, `${prefix}[]`, required, out);
  } else if (schema.type === 'object' && schema.patternProperties) {
    const inner = Object.values(schema.patternProperties as Record<string, S>)[0]!;
    schemaRows(inner, `${prefix}.<key>`, required, out);
  } else if (Array.isArray(schema.anyOf) && !(schema.anyOf as S[]).some((b) => Array.isArray(b.oneOf))) {
    for (const b of schema.anyOf as S[]) schemaRows(b, prefix, required, out);
  }
  return out;
}

// Example URLs in descriptions (e.g. https://api.mypurecloud.ie) are shown as code, not links.
const esc = (s: string) =>
  s
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .replace(/(?<![`\w])https?:\/\/[^\s`|]+?(?=[.,;:]?(?:\s|$))/g, (u) => `\`${u}\``);

function table(rows: Row[]): string {
  const head = '| Field | Type | Required | Description |\n|---|---|---|---|\n';
  return head + rows.map((r) => `| \`${r.path}\` | ${r.type} | ${r.required ? 'yes' : ''} | ${esc(r.description)} |`).join('\n');
}

const INTRO = `# Lethe policy reference

Generated from the JSON Schemas in this folder by \`lethe schemas --write\`; do not edit by hand.
Every document has \`apiVersion: lethe.dev/v1\`, a \`kind\`, \`metadata\` and a \`spec\`; editors validate
YAML as you type through the \`# yaml-language-server: $schema=…\` line at the top of each file.
Durations are ISO 8601 (\`P7Y\`, \`P18M\`, \`P30D\`, \`PT12H\`); dates are \`YYYY-MM-DD\`.
Data subject requests and the runner config use the same loader but live outside the policy folder.
`;

const CONDITIONS = `## Conditions (\`when\`)

A condition selects records. Write it in the shorthand below, or in full JsonLogic for anything
else. Field paths start with ${VAR_ROOTS.map((r) => `\`${r}\``).join(', ')} (e.g. \`fields.mediaType\`).

| Shorthand | Means |
|---|---|
| \`fields.media: audio\` | the field equals the value |
| \`fields.media: [chat, email]\` | the field is one of the values |
| \`fields.queue: {ne: sales}\` | comparison; several keys in one map must all hold |
| \`createdAt: {before: 2020-01-01}\` / \`{after: …}\` | date comparison (real dates only) |
| \`createdAt: {olderThan: P2Y}\` / \`{newerThan: P90D}\` | relative to the plan's \`now\` |
| \`fields.email: {exists: true}\` | the field is present (not null) |
| \`fields.subject: {contains: refund}\` | text contains, or list contains the value |
| \`fields.queue: {startsWith: "eu-"}\` / \`{endsWith: …}\` | text starts / ends with |
| \`allOf: [c1, c2]\`, \`anyOf: [c1, c2]\`, \`not: c\` | combine conditions |

Comparison keys: ${SHORTHAND_OPERATORS.map((o) => `\`${o}\``).join(', ')}. Several field keys in one map must all hold.

Full JsonLogic is accepted when the map's only key is an operator, e.g.
\`{"==": [{"var": "fields.direction"}, "inbound"]}\`. Allowed operators: ${SAFE_OPERATORS.map((o) => `\`${o}\``).join(', ')}.
\`method\` and \`log\` are refused (they reach JavaScript internals or have side effects).
`;

/** Every record type's catalogued fields (rows do not start with a backticked path: they are not schema fields). */
function renderCatalog(): string {
  const out = [
    '## Record fields (field catalog)\n',
    'What each record type carries in `fields`, declared by its connector (`connectors/<system>/catalog.ts`).',
    'Conditions, retention `from`, masking field paths and the masking policy of an anonymize action may',
    'only name these (`lethe validate` says "did you mean" for near misses); besides them a condition may read',
    `the record's own keys ${['id', 'createdAt', 'identifiers', 'links', 'system', 'type'].map((k) => `\`${k}\``).join(', ')}. Snapshots may carry more fields: they are kept and ignored.`,
    'Personal: whether the value is personal data of the subject (or may contain it).\n',
  ];
  for (const system of SYSTEMS) {
    for (const [type, fields] of Object.entries(FIELD_CATALOG[system])) {
      out.push(`### ${system} ${type}\n`);
      out.push('| Field | Type | Personal | Category | Example | Description |\n|---|---|---|---|---|---|');
      for (const f of fields) out.push(`| fields.${f.name} | ${f.type} | ${f.personal ? 'yes' : 'no'} | ${f.category} | ${esc(JSON.stringify(f.example))} | ${esc(f.description)} |`);
      out.push('');
    }
  }
  return out.join('\n');
}

export function renderReference(): string {
  const parts = [INTRO, CONDITIONS, renderCatalog()];
  for (const k of KINDS) {
    const s = k.schema as unknown as S;
    parts.push(`## ${k.kind}\n\n${String(s.description ?? '')}\n\nSchema: [\`${k.file}\`](./${k.file}). Lives in: ${k.place === 'policies' ? 'the policy folder' : k.place === 'requests' ? 'the request store (never the repository)' : 'the runner config file'}.\n\n${table(schemaRows(s))}\n`);
  }
  const strategies = STRATEGY_NAMES.map((n) => {
    const s = STRATEGY_SCHEMAS[n] as unknown as S;
    const rows = schemaRows(s).filter((r) => r.path !== 'strategy');
    return `### \`${n}\`\n\n${String(s.description ?? '')}\n\n${rows.length ? table(rows) : 'No parameters.'}\n`;
  });
  parts.push(`## Masking strategies\n\nUsed in \`MaskingPolicy.spec.fields\` and \`identifiers\`, and by anonymize actions. Write a bare name (\`redact\`) or an object (\`{strategy: keep-last, n: 4}\`).\n\n${strategies.join('\n')}`);
  return `${parts.join('\n')}`;
}
