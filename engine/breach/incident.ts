/**
 * The breach incident file (`lethe breach scope --incident FILE`): what was exposed and when the
 * controller became aware. It describes the incident, never the people (no personal data: the list
 * of individuals goes to the request store). Checked here, pure: every problem has a path.
 *
 *   incident: inc-2026-03-analytics-bucket
 *   awareAt: 2026-03-28T09:30:00+01:00     # instant with a zone
 *   timeZone: Europe/Berlin                # how the deadline is shown (IANA)
 *   description: A public bucket held an analytics export.
 *   nature: [confidentiality]              # confidentiality | integrity | availability
 *   window: {from: 2026-03-01T00:00:00Z, to: 2026-03-28T00:00:00Z, field: createdAt}
 *   exposed:
 *     - {system: salesforce, type: contact, destination: analytics-export, when: {fields.DoNotCall: false}}
 *   consequences: …   measures: [ … ]   dpo: {name: …, contact: …}
 *   timeline: [{at: …, event: …}]   decisions: [{at: …, by: …, decision: …}]
 */
import type { Bundle } from '../bundle.ts';
import { compileCondition, conditionFields, type Evaluator } from '../conditions/compile.ts';
import { realDate } from '../load/checks.ts';
import { normalizeCondition } from '../load/conditions.ts';
import type { PathSeg } from '../load/locate.ts';
import { suggest } from '../load/problems.ts';
import { catalogFor, isKnownSystem, RECORD_TYPES, SYSTEMS } from '../record-types.ts';
import { fieldExposures, type FieldExposure } from './exposure.ts';
import { isTimeZone } from './clock.ts';

export interface IncidentProblem {
  path: PathSeg[];
  message: string;
}

export interface Exposure {
  system: string;
  type: string;
  destination?: string;
  when?: Evaluator;
  fields: FieldExposure[];
}

export interface Incident {
  id: string;
  awareAt: string;
  timeZone: string;
  description: string;
  nature: string[];
  window?: { from: string; to: string; field: string };
  exposed: Exposure[];
  consequences?: string;
  measures: string[];
  dpo?: { name: string; contact: string };
  timeline: Array<{ at: string; event: string }>;
  decisions: Array<{ at: string; by: string; decision: string }>;
}

const ID = /^[a-z0-9][a-z0-9-]{2,62}$/;
const NATURES = ['confidentiality', 'integrity', 'availability'];
const KEYS = ['incident', 'awareAt', 'timeZone', 'description', 'nature', 'window', 'exposed', 'consequences', 'measures', 'dpo', 'timeline', 'decisions'];
type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** An instant with a time and an explicit zone, as UTC ISO; null otherwise. */
function instant(v: unknown): string | null {
  return typeof v === 'string' && /T\d{2}:\d{2}.*(Z|[+-]\d{2}:\d{2})$/.test(v) ? realDate(v) : null;
}

function text(o: Obj, key: string, path: PathSeg[], out: IncidentProblem[], required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '') {
    out.push({ path: [...path, key], message: `${key} must be non-empty text` });
    return undefined;
  }
  return v;
}

/** Checks a parsed incident file against the bundle (masking destinations) and `now`. */
export function checkIncident(raw: unknown, bundle: Bundle, now: string): { incident: Incident | null; problems: IncidentProblem[] } {
  const out: IncidentProblem[] = [];
  if (!isObj(raw)) return { incident: null, problems: [{ path: [], message: 'an incident file is a YAML mapping (incident, awareAt, timeZone, description, exposed, …)' }] };
  for (const k of Object.keys(raw)) {
    if (!KEYS.includes(k)) {
      const s = suggest(k, KEYS);
      out.push({ path: [k], message: `unknown key ${JSON.stringify(k)}${s ? ` (did you mean ${s}?)` : ''}` });
    }
  }
  const id = raw.incident;
  if (typeof id !== 'string' || !ID.test(id)) out.push({ path: ['incident'], message: 'incident must be an id of 3-63 lower-case letters, digits and dashes (e.g. inc-2026-03-bucket)' });
  const awareAt = instant(raw.awareAt);
  if (!awareAt) out.push({ path: ['awareAt'], message: `awareAt must be a real date-time with a zone, such as 2026-03-28T09:30:00+01:00 (got ${JSON.stringify(raw.awareAt)})` });
  else if (awareAt > now) out.push({ path: ['awareAt'], message: `awareAt ${awareAt} is after now (${now}): awareness cannot be in the future` });
  const zone = raw.timeZone;
  if (typeof zone !== 'string' || !isTimeZone(zone)) out.push({ path: ['timeZone'], message: `timeZone must be an IANA time zone such as Europe/Berlin or America/New_York (got ${JSON.stringify(zone)})` });
  const description = text(raw, 'description', [], out, true);
  const nature = raw.nature === undefined ? ['confidentiality'] : raw.nature;
  if (!Array.isArray(nature) || nature.length === 0 || nature.some((n) => !NATURES.includes(n as string))) {
    out.push({ path: ['nature'], message: `nature must be a list of ${NATURES.join(', ')}` });
  }
  const window = checkWindow(raw.window, awareAt, now, out);
  const exposed = checkExposed(raw.exposed, bundle, now, out);
  const consequences = text(raw, 'consequences', [], out, false);
  const measures = stringList(raw.measures, ['measures'], out);
  let dpo: Incident['dpo'];
  if (raw.dpo !== undefined) {
    if (!isObj(raw.dpo)) out.push({ path: ['dpo'], message: 'dpo must be a mapping {name, contact}' });
    else {
      const name = text(raw.dpo, 'name', ['dpo'], out, true);
      const contact = text(raw.dpo, 'contact', ['dpo'], out, true);
      if (name && contact) dpo = { name, contact };
    }
  }
  const timeline = entries(raw.timeline, 'timeline', ['at', 'event'], out) as Incident['timeline'];
  const decisions = entries(raw.decisions, 'decisions', ['at', 'by', 'decision'], out) as Incident['decisions'];
  if (out.length > 0 || !awareAt || typeof id !== 'string' || typeof zone !== 'string' || !description) return { incident: null, problems: out };
  return {
    incident: {
      id, awareAt, timeZone: zone, description, nature: [...(nature as string[])].sort(), exposed, measures, timeline, decisions,
      ...(window ? { window } : {}), ...(consequences ? { consequences } : {}), ...(dpo ? { dpo } : {}),
    },
    problems: [],
  };
}

function stringList(v: unknown, path: PathSeg[], out: IncidentProblem[]): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.trim() === '')) {
    out.push({ path, message: `${String(path.at(-1))} must be a list of non-empty texts` });
    return [];
  }
  return v as string[];
}

function entries(v: unknown, key: string, fields: readonly string[], out: IncidentProblem[]): Array<Record<string, string>> {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    out.push({ path: [key], message: `${key} must be a list of {${fields.join(', ')}}` });
    return [];
  }
  const list: Array<Record<string, string>> = [];
  v.forEach((e, i) => {
    if (!isObj(e)) return void out.push({ path: [key, i], message: `must be a mapping {${fields.join(', ')}}` });
    const item: Record<string, string> = {};
    for (const f of fields) {
      const t = text(e, f, [key, i], out, true);
      if (t !== undefined) item[f] = t;
    }
    if (item.at !== undefined) {
      const at = instant(item.at);
      if (!at) out.push({ path: [key, i, 'at'], message: `at must be a real date-time with a zone (got ${JSON.stringify(item.at)})` });
      else item.at = at;
    }
    list.push(item);
  });
  return list.sort((a, b) => (a.at! < b.at! ? -1 : a.at! > b.at! ? 1 : 0));
}

function checkWindow(v: unknown, awareAt: string | null, now: string, out: IncidentProblem[]): Incident['window'] {
  if (v === undefined) return undefined;
  if (!isObj(v)) {
    out.push({ path: ['window'], message: 'window must be a mapping {from, to, field?}' });
    return undefined;
  }
  const from = instant(v.from);
  const to = instant(v.to);
  if (!from) out.push({ path: ['window', 'from'], message: `from must be a real date-time with a zone (got ${JSON.stringify(v.from)})` });
  if (!to) out.push({ path: ['window', 'to'], message: `to must be a real date-time with a zone (got ${JSON.stringify(v.to)})` });
  const field = v.field ?? 'createdAt';
  if (typeof field !== 'string' || !(field === 'createdAt' || field.startsWith('fields.'))) {
    out.push({ path: ['window', 'field'], message: 'field must be createdAt or a date field fields.<name>' });
  }
  if (!from || !to) return undefined;
  if (from >= to) out.push({ path: ['window', 'to'], message: `impossible window: to (${to}) is not after from (${from})` });
  else if (awareAt && from > awareAt) out.push({ path: ['window', 'from'], message: `impossible window: it starts (${from}) after awareAt (${awareAt})` });
  else if (from > now) out.push({ path: ['window', 'from'], message: `impossible window: it starts (${from}) in the future (now ${now})` });
  return { from, to, field: typeof field === 'string' ? field : 'createdAt' };
}

function checkExposed(v: unknown, bundle: Bundle, now: string, out: IncidentProblem[]): Exposure[] {
  if (!Array.isArray(v) || v.length === 0) {
    out.push({ path: ['exposed'], message: 'exposed must list at least one {system, type} that was exposed' });
    return [];
  }
  const list: Exposure[] = [];
  v.forEach((e, i) => {
    const at: PathSeg[] = ['exposed', i];
    if (!isObj(e)) return void out.push({ path: at, message: 'must be a mapping {system, type, destination?, when?}' });
    for (const k of Object.keys(e)) if (!['system', 'type', 'destination', 'when'].includes(k)) out.push({ path: [...at, k], message: `unknown key ${JSON.stringify(k)} (system, type, destination, when)` });
    const { system, type, destination } = e;
    if (typeof system !== 'string' || !isKnownSystem(system)) {
      const s = typeof system === 'string' ? suggest(system, SYSTEMS) : undefined;
      return void out.push({ path: [...at, 'system'], message: `unknown system ${JSON.stringify(system)}${s ? ` (did you mean ${s}?)` : ''}; known: ${SYSTEMS.join(', ')}` });
    }
    const types = RECORD_TYPES[system] as readonly string[];
    if (typeof type !== 'string' || !catalogFor(system, type)) {
      const s = typeof type === 'string' ? suggest(type, types) : undefined;
      return void out.push({ path: [...at, 'type'], message: `unknown record type ${JSON.stringify(type)} for ${system}${s ? ` (did you mean ${s}?)` : ''}; known: ${types.join(', ')}` });
    }
    if (destination !== undefined && typeof destination !== 'string') return void out.push({ path: [...at, 'destination'], message: 'destination must be the name of a masking destination' });
    const fields = fieldExposures(system, type, bundle.masking, destination);
    if (!fields) {
      return void out.push({ path: [...at, 'destination'], message: `no MaskingPolicy of destination ${JSON.stringify(destination)} covers ${system}/${type}: say what the exposed export held, or leave destination out if the records were exposed as stored` });
    }
    const exposure: Exposure = { system, type, fields, ...(destination !== undefined ? { destination } : {}) };
    if (e.when !== undefined) {
      const { logic, issues } = normalizeCondition(e.when, [...at, 'when']);
      for (const p of issues) out.push({ path: p.path, message: p.message });
      const catalog = catalogFor(system, type)!;
      for (const f of conditionFields(logic)) {
        if (f.startsWith('fields.') && !catalog.some((c) => `fields.${c.name}` === f.split('.').slice(0, 2).join('.'))) {
          out.push({ path: [...at, 'when'], message: `${f} is not a field of ${system}/${type} (see the field catalog: lethe schemas)` });
        }
      }
      if (issues.length === 0) {
        try {
          exposure.when = compileCondition(logic, { now });
        } catch (err) {
          out.push({ path: [...at, 'when'], message: (err as Error).message });
        }
      }
    }
    list.push(exposure);
  });
  return list;
}
