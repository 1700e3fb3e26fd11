/**
 * Breach scoping (pure): the records an incident exposed, the people they are about and where
 * those people are. The people are resolved through the same identity graph as erasure
 * (engine/evaluate/identity.ts: the identity types of the bundle's ErasurePolicies): an exposed
 * record's identifiers are expanded to a fixpoint, never through a shared identifier (a household
 * phone is flagged, never merged), and exposed records whose expansions share an identifier are
 * one person. The caller streams the snapshot in: `addIdentity` for identity records,
 * `addCandidate` for records of an exposed type; then `finish`.
 */
import type { Bundle } from '../bundle.ts';
import { expandSubject, IdentityGraph } from '../evaluate/identity.ts';
import { findRoot } from '../evaluate/union-find.ts';
import type { FieldCategory } from '../field-catalog.ts';
import { refKey, type LetheRecord } from '../records.ts';
import type { Visibility } from './exposure.ts';
import type { Exposure, Incident } from './incident.ts';
import { addressCountry, phoneCountry, UNKNOWN } from './jurisdiction.ts';

export interface ExposureSummary {
  system: string;
  type: string;
  destination?: string;
  records: number;
  maskedOnly: boolean;
  fields: Array<{ path: string; category: FieldCategory; visibility: Visibility }>;
}

export interface CategorySummary {
  category: FieldCategory;
  /** The most readable form in which any exposure revealed it. */
  visibility: Visibility;
  /** `system/type` of the exposures that revealed it (not removed). */
  sources: string[];
}

/** One affected person: personal data, for the request store only. */
export interface AffectedSubject {
  identifiers: string[];
  jurisdictions: string[];
  records: number;
}

export interface BreachCounts {
  records: number;
  subjects: number;
  /** People per jurisdiction (a person with phones in two countries counts in both). */
  byJurisdiction: Record<string, number>;
  /** Exposed records that reach no one but through a shared identifier (flagged for DPO review). */
  sharedOnlyRecords: number;
  /** Distinct shared identifiers met (flagged, never merged). */
  flaggedIdentifiers: number;
  /** Exposed records carrying no subject identifier at all. */
  noSubjectRecords: number;
}

export interface ScopeResult {
  exposures: ExposureSummary[];
  categories: CategorySummary[];
  counts: BreachCounts;
  /** True when every exposure revealed personal data only removed or as keyed hashes. */
  maskedOnly: boolean;
  /** Personal data: never into the repository, reports or logs. */
  subjects: AffectedSubject[];
  /** Shared identifiers (personal data, for DPO review in the request store). */
  flagged: string[];
}

const RANK: Readonly<Record<Visibility, number>> = { removed: 0, 'keyed-hash': 1, partial: 2, clear: 3 };

interface Hit {
  /** The exposed record's own identifiers. */
  start: readonly string[];
  /** `refKey`s of the records it links to (a task to its contact, a case to its customer). */
  links: readonly string[];
  country: string | null;
}

interface Person {
  usable: string[];
  /** Shared phones met on this person's own records: used for the country only, never to merge. */
  sharedPhones: string[];
  country: string | null;
}

export class BreachScoper {
  private readonly graph = new IdentityGraph();
  private readonly identityTypes: Set<string>;
  private readonly countries = new Map<string, string>();
  /** Identifiers of every identity record, by `refKey`: an exposed record reaches its person through its links too. */
  private readonly identityIds = new Map<string, readonly string[]>();
  private readonly hits: Hit[] = [];
  private readonly perExposure: number[];

  private readonly incident: Incident;

  constructor(incident: Incident, bundle: Bundle) {
    this.incident = incident;
    this.identityTypes = new Set(bundle.erasure.flatMap((p) => p.spec.identityTypes.map((t) => `${t.system}/${t.type}`)));
    this.perExposure = incident.exposed.map(() => 0);
  }

  /** `system/type` pairs the caller must stream in: identity types and exposed types. */
  neededTypes(): Array<{ system: string; type: string }> {
    const keys = new Set([...this.identityTypes, ...this.incident.exposed.map((e) => `${e.system}/${e.type}`)]);
    return [...keys].sort().map((k) => ({ system: k.split('/')[0]!, type: k.slice(k.indexOf('/') + 1) }));
  }

  isIdentityType(system: string, type: string): boolean {
    return this.identityTypes.has(`${system}/${type}`);
  }

  addIdentity(r: LetheRecord): void {
    this.graph.add(r);
    this.identityIds.set(refKey(r), r.identifiers ?? []);
    const c = addressCountry(r.fields ?? {});
    if (c) this.countries.set(refKey(r), c);
  }

  /** A record of an exposed type: kept when an exposure matches it (window and condition). */
  addCandidate(r: LetheRecord): void {
    let matched = false;
    this.incident.exposed.forEach((e, i) => {
      if (this.matches(e, r)) {
        this.perExposure[i]!++;
        matched = true;
      }
    });
    if (matched) this.hits.push({ start: [...(r.identifiers ?? [])], links: (r.links ?? []).map(refKey), country: addressCountry(r.fields ?? {}) });
  }

  private matches(e: Exposure, r: LetheRecord): boolean {
    if (e.system !== r.system || e.type !== r.type) return false;
    const w = this.incident.window;
    if (w) {
      const v = w.field === 'createdAt' ? r.createdAt : (r.fields ?? {})[w.field.slice('fields.'.length)];
      const t = typeof v === 'string' ? Date.parse(v) : NaN;
      // A record without a readable date in the window field cannot be ruled out: it counts.
      if (!Number.isNaN(t) && (t < Date.parse(w.from) || t >= Date.parse(w.to))) return false;
    }
    return e.when ? e.when(r) : true;
  }

  finish(): ScopeResult {
    const flaggedAll = new Set<string>();
    let sharedOnly = 0;
    let noSubject = 0;
    const people: Person[] = [];
    for (const h of this.hits) {
      // A record without identifiers of its own (a task, a case) still exposes the person of the
      // identity record it links to; the link's identifiers start the expansion with its own.
      const start = [...new Set([...h.start, ...h.links.flatMap((k) => this.identityIds.get(k) ?? [])])];
      if (start.length === 0) {
        noSubject++;
        continue;
      }
      const x = expandSubject(this.graph, start);
      for (const f of x.flagged) flaggedAll.add(f);
      if (x.identifiers.length === 0) {
        sharedOnly++;
        continue;
      }
      people.push({ usable: x.identifiers, sharedPhones: x.flagged.filter((f) => f.startsWith('phone:')), country: h.country });
    }
    const subjects = this.group(people);
    const byJurisdiction: Record<string, number> = {};
    for (const s of subjects) for (const j of s.jurisdictions) byJurisdiction[j] = (byJurisdiction[j] ?? 0) + 1;
    const exposures = this.incident.exposed.map((e, i) => ({
      system: e.system,
      type: e.type,
      ...(e.destination !== undefined ? { destination: e.destination } : {}),
      records: this.perExposure[i]!,
      maskedOnly: e.fields.every((f) => RANK[f.visibility] <= RANK['keyed-hash']),
      fields: e.fields.map((f) => ({ path: f.path, category: f.category, visibility: f.visibility })),
    }));
    return {
      exposures,
      categories: categories(exposures),
      counts: {
        records: this.hits.length,
        subjects: subjects.length,
        byJurisdiction: Object.fromEntries(Object.entries(byJurisdiction).sort(([a], [b]) => (a < b ? -1 : 1))),
        sharedOnlyRecords: sharedOnly,
        flaggedIdentifiers: flaggedAll.size,
        noSubjectRecords: noSubject,
      },
      maskedOnly: exposures.filter((e) => e.records > 0).every((e) => e.maskedOnly),
      subjects,
      flagged: [...flaggedAll].sort(),
    };
  }

  /** Exposed records whose expansions share a usable identifier are one person. */
  private group(hits: readonly Person[]): AffectedSubject[] {
    const parent = new Int32Array(hits.length).map((_, i) => i);
    const owner = new Map<string, number>();
    hits.forEach((h, i) => {
      for (const id of h.usable) {
        const o = owner.get(id);
        if (o === undefined) owner.set(id, i);
        else {
          const a = findRoot(parent, o);
          const b = findRoot(parent, i);
          if (a !== b) parent[b] = a;
        }
      }
    });
    const groups = new Map<number, { ids: Set<string>; countries: Set<string>; records: number }>();
    hits.forEach((h, i) => {
      const root = findRoot(parent, i);
      let g = groups.get(root);
      if (!g) groups.set(root, (g = { ids: new Set(), countries: new Set(), records: 0 }));
      g.records++;
      for (const id of h.usable) g.ids.add(id);
      for (const p of h.sharedPhones) {
        const c = phoneCountry(p.slice('phone:'.length));
        if (c) g.countries.add(c);
      }
      if (h.country) g.countries.add(h.country);
    });
    const out: AffectedSubject[] = [];
    for (const g of groups.values()) {
      for (const id of g.ids) {
        if (id.startsWith('phone:')) {
          const c = phoneCountry(id.slice('phone:'.length));
          if (c) g.countries.add(c);
        }
        for (const rec of this.graph.recordsOf(id)) {
          const c = this.countries.get(this.graph.keyOf(rec));
          if (c) g.countries.add(c);
        }
      }
      const jurisdictions = g.countries.size > 0 ? [...g.countries].sort() : [UNKNOWN];
      out.push({ identifiers: [...g.ids].sort(), jurisdictions, records: g.records });
    }
    return out.sort((a, b) => (a.identifiers[0]! < b.identifiers[0]! ? -1 : 1));
  }
}

function categories(exposures: readonly ExposureSummary[]): CategorySummary[] {
  const by = new Map<FieldCategory, CategorySummary>();
  for (const e of exposures) {
    if (e.records === 0) continue;
    for (const f of e.fields) {
      if (f.visibility === 'removed') continue;
      const c = by.get(f.category) ?? { category: f.category, visibility: f.visibility, sources: [] };
      if (RANK[f.visibility] > RANK[c.visibility]) c.visibility = f.visibility;
      const src = `${e.system}/${e.type}`;
      if (!c.sources.includes(src)) c.sources.push(src);
      by.set(f.category, c);
    }
  }
  return [...by.values()].map((c) => ({ ...c, sources: c.sources.sort() })).sort((a, b) => (a.category < b.category ? -1 : 1));
}
