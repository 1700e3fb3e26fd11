/**
 * The loader: YAML files in, validated documents (and a policy bundle) out, with every problem
 * reported at once as file:line:col. Pure: it works on file contents; read-dir.ts does the reading.
 */
import type { Bundle } from '../bundle.ts';
import { contentHash } from '../canonical.ts';
import { kindInfo, KINDS, type DataSubjectRequest, type RunnerConfig } from '../schema/index.ts';
import { catalogIssues } from './catalog-check.ts';
import { checkDocument, type CheckContext, type Issue } from './checks.ts';
import { ruleIssues } from './dead-rules.ts';
import { normalizeDocumentIds } from './ids.ts';
import { normalizeCondition } from './conditions.ts';
import { dotted, type PathSeg, positionOf } from './locate.ts';
import { type Problem, sortProblems, suggest } from './problems.ts';
import { readYamlTree, readYamlFile } from './read-dir.ts';
import { schemaProblems } from './schema-check.ts';
import { decodeFile, type ParsedDocument, parseYamlText } from './yaml-file.ts';

export type { Problem } from './problems.ts';
export { formatProblem, hasErrors } from './problems.ts';

export type Place = 'policies' | 'requests' | 'config' | 'tests';

export interface SourceFile {
  /** Path as shown in messages (relative to the working directory). */
  path: string;
  bytes: Uint8Array;
}

export interface LoadedDocument {
  file: string;
  line: number;
  kind: string;
  name: string;
  version: string;
  owner: string;
  /** The document with shorthand conditions turned into JsonLogic. */
  value: Record<string, unknown>;
}

export interface LoadResult {
  documents: LoadedDocument[];
  problems: Problem[];
}

export interface LoadOptions {
  place: Place;
  /** Clock for warnings such as expired holds (the CLI passes the real time or --now). */
  now?: string;
}

interface Pending {
  file: string;
  lines: import('yaml').LineCounter;
  parsed: ParsedDocument;
  kind: string;
  value: Record<string, unknown>;
  /** The document as written (shorthand conditions intact), to point at field names. */
  raw: Record<string, unknown>;
  /** Passed the schema: only such documents enter the bundle (checks run on all, defensively). */
  valid: boolean;
}

/** Where each kind's conditions are, so shorthand can be turned into JsonLogic. */
function conditionPaths(kind: string, value: Record<string, unknown>): PathSeg[][] {
  const spec = (value.spec ?? {}) as Record<string, unknown>;
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const at = (base: PathSeg[], items: unknown[]): PathSeg[][] =>
    items.flatMap((x, i) => (x && typeof x === 'object' && 'when' in x ? [[...base, i, 'when']] : []));
  switch (kind) {
    case 'RetentionPolicy':
      return 'when' in spec ? [['spec', 'when']] : [];
    case 'ConsentPolicy':
      return at(['spec', 'onWithdrawal', 'purge'], list((spec.onWithdrawal as Record<string, unknown> | undefined)?.purge));
    case 'ErasurePolicy':
      return [...at(['spec', 'scope'], list(spec.scope)), ...at(['spec', 'exceptions'], list(spec.exceptions))];
    default:
      return [];
  }
}

function getIn(v: unknown, path: readonly PathSeg[]): unknown {
  let cur = v;
  for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg as string] : undefined;
  return cur;
}

function setIn(v: Record<string, unknown>, path: readonly PathSeg[], value: unknown): void {
  let cur: Record<string, unknown> = v;
  for (const seg of path.slice(0, -1)) cur = cur[seg as string] as Record<string, unknown>;
  cur[path[path.length - 1] as string] = value;
}

const PLACE_ADVICE: Record<Place, string> = {
  policies: 'the policy folder',
  requests: 'the request store',
  config: 'the runner config file',
  tests: 'a policy test file (*.test.yaml beside the policies)',
};

/** Validates files of one place (policy folder, request store or config). */
export function loadFromFiles(files: readonly SourceFile[], options: LoadOptions): LoadResult {
  const problems: Problem[] = [];
  const pending: Pending[] = [];
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const decoded = decodeFile(f.path, f.bytes);
    problems.push(...decoded.problems);
    if (decoded.text === undefined) continue;
    const parsed = parseYamlText(f.path, decoded.text);
    problems.push(...parsed.problems);
    for (const pd of parsed.documents) {
      const value = pd.doc.toJS({ maxAliasCount: 0 }) as unknown;
      const at = (path: PathSeg[], atKey = false) => positionOf(pd.doc, parsed.lines, path, atKey);
      const push = (path: PathSeg[], code: string, message: string, atKey = false) => {
        const p = at(path, atKey);
        problems.push({ file: f.path, line: p.line, col: p.col, path: dotted(path), code, message, severity: 'error' });
      };
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        push([], 'document.shape', 'a document must be a map with apiVersion, kind, metadata and spec');
        continue;
      }
      const v = value as Record<string, unknown>;
      const kind = v.kind;
      if (typeof kind !== 'string') {
        push('kind' in v ? ['kind'] : [], 'document.kind', `missing or invalid "kind"; use one of: ${KINDS.map((k) => k.kind).join(', ')}`);
        continue;
      }
      const info = kindInfo(kind);
      if (!info) {
        const hint = suggest(kind, KINDS.map((k) => k.kind));
        push(['kind'], 'document.kind', `unknown kind "${kind}"${hint ? ` (did you mean "${hint}"?)` : ''}; use one of: ${KINDS.filter((k) => k.place === options.place).map((k) => k.kind).join(', ')}`);
        continue;
      }
      if (info.place !== options.place) {
        const msg =
          info.kind === 'DataSubjectRequest'
            ? 'a DataSubjectRequest carries personal data and must never be in the policy folder or its history: keep it in the request store (outside the repository)'
            : `a ${info.kind} does not belong in ${PLACE_ADVICE[options.place]}: it goes in ${PLACE_ADVICE[info.place]}`;
        push(['kind'], 'document.place', msg);
        continue;
      }
      const schemaIssues = schemaProblems(f.path, parsed.lines, pd.doc, kind, v);
      problems.push(...schemaIssues);
      const raw = structuredClone(v);
      for (const cp of conditionPaths(kind, v)) {
        const raw = getIn(v, cp);
        if (raw === undefined || raw === null || typeof raw !== 'object') continue;
        const { logic, issues } = normalizeCondition(raw, cp);
        for (const i of issues) push(i.path, i.code, i.message, i.atKey ?? false);
        setIn(v, cp, logic);
      }
      pending.push({ file: f.path, lines: parsed.lines, parsed: pd, kind, value: v, raw, valid: schemaIssues.length === 0 });
    }
  }
  const masking = pending.filter((p) => p.kind === 'MaskingPolicy' && p.valid);
  const ctx: CheckContext = {
    maskingNames: new Set(masking.map((p) => String((p.value.metadata as Record<string, unknown>).name))),
    destinations: new Set(masking.map((p) => String((p.value.spec as Record<string, unknown>).destination))),
    ...(options.now ? { now: options.now } : {}),
  };
  const maskingPaths = new Map(masking.map((p) => [String((p.value.metadata as Record<string, unknown>).name), Object.keys((p.value.spec as Record<string, unknown>).fields ?? {})]));
  const seen = new Map<string, Pending>();
  for (const p of pending) {
    const issues: Issue[] = checkDocument({ kind: p.kind, value: p.value }, ctx);
    issues.push(...catalogIssues(p.kind, p.value, p.raw, maskingPaths), ...ruleIssues(p.kind, p.value, p.raw));
    const name = String((p.value.metadata as Record<string, unknown> | undefined)?.name);
    const key = `${p.kind}/${name}`;
    const first = seen.get(key);
    if (first) {
      const fp = positionOf(first.parsed.doc, first.lines, ['metadata', 'name']);
      issues.push({ path: ['metadata', 'name'], code: 'name.duplicate', message: `another ${p.kind} is already named "${name}" (${first.file}:${fp.line}); names must be unique per kind` });
    } else seen.set(key, p);
    for (const i of issues) {
      const pos = positionOf(p.parsed.doc, p.lines, i.path, i.atKey ?? false);
      problems.push({ file: p.file, line: pos.line, col: pos.col, path: dotted(i.path), code: i.code, message: i.message, severity: i.severity ?? 'error' });
    }
  }
  const documents = pending.filter((p) => p.valid).map((p): LoadedDocument => {
    normalizeDocumentIds(p.kind, p.value);
    const m = p.value.metadata as Record<string, string>;
    const pos = positionOf(p.parsed.doc, p.lines, []);
    return { file: p.file, line: pos.line, kind: p.kind, name: m.name!, version: m.version!, owner: m.owner!, value: p.value };
  });
  if (files.length === 0) {
    problems.push({ file: '.', line: 1, col: 1, path: '', code: 'dir.empty', severity: 'error', message: `no YAML files found in ${PLACE_ADVICE[options.place]}` });
  } else if (documents.length === 0 && !problems.some((p) => p.severity === 'error')) {
    problems.push({ file: files[0]!.path, line: 1, col: 1, path: '', code: 'dir.no-documents', severity: 'error', message: 'the files hold no documents' });
  }
  return { documents, problems: sortProblems(problems) };
}

/** Builds the engine's bundle from loaded policy documents (documents must be error-free). */
export function toBundle(documents: readonly LoadedDocument[]): Bundle {
  const sorted = [...documents].sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  const of = <T>(kind: string): T[] => sorted.filter((d) => d.kind === kind).map((d) => d.value as T);
  return {
    hash: bundleHash(sorted),
    retention: of('RetentionPolicy'),
    masking: of('MaskingPolicy'),
    consent: of('ConsentPolicy'),
    erasure: of('ErasurePolicy'),
    holds: of('LegalHold'),
    processing: of('ProcessingRecord'),
    files: Object.fromEntries(sorted.map((d) => [`${d.kind}/${d.name}`, d.file])),
  };
}

/** Hash over the canonical form of all documents: independent of file names, order and formatting. */
export function bundleHash(documents: readonly LoadedDocument[]): string {
  const canon = documents.map((d) => d.value).sort((a, b) => {
    const ka = `${String(a.kind)}/${String((a.metadata as Record<string, unknown>).name)}`;
    const kb = `${String(b.kind)}/${String((b.metadata as Record<string, unknown>).name)}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return contentHash(canon);
}

/** Read problems first; "no files" is redundant when the path itself could not be read. */
function merge(readProblems: Problem[], loadProblems: Problem[]): Problem[] {
  const rest = readProblems.length ? loadProblems.filter((p) => p.code !== 'dir.empty') : loadProblems;
  return sortProblems([...readProblems, ...rest]);
}

/** Policy test files sit beside the policies and are told apart by name. */
export const TEST_FILE = /\.test\.ya?ml$/i;

export async function loadPolicyTests(dir: string, options: { now?: string } = {}): Promise<LoadResult> {
  const read = await readYamlTree(dir, (name) => TEST_FILE.test(name));
  const result = loadFromFiles(read.files, { place: 'tests', ...options });
  return { ...result, problems: merge(read.problems, result.problems) };
}

export interface PolicyLoad extends LoadResult {
  bundle: Bundle | null;
}

export async function loadPolicyDir(dir: string, options: { now?: string } = {}): Promise<PolicyLoad> {
  const read = await readYamlTree(dir, (name) => !TEST_FILE.test(name));
  const result = loadFromFiles(read.files, { place: 'policies', ...options });
  const problems = merge(read.problems, result.problems);
  const ok = !problems.some((p) => p.severity === 'error');
  return { ...result, problems, bundle: ok ? toBundle(result.documents) : null };
}

export async function loadRequestDir(dir: string, options: { now?: string } = {}): Promise<LoadResult & { requests: DataSubjectRequest[] }> {
  const read = await readYamlTree(dir);
  const result = loadFromFiles(read.files, { place: 'requests', ...options });
  const problems = merge(read.problems, result.problems);
  const ok = !problems.some((p) => p.severity === 'error');
  return { ...result, problems, requests: ok ? result.documents.map((d) => d.value as unknown as DataSubjectRequest) : [] };
}

export async function loadConfigFile(file: string, options: { now?: string } = {}): Promise<LoadResult & { config: RunnerConfig | null }> {
  const read = await readYamlFile(file);
  const result = loadFromFiles(read.files, { place: 'config', ...options });
  const problems = merge(read.problems, result.problems);
  const ok = !problems.some((p) => p.severity === 'error') && result.documents.length === 1;
  if (result.documents.length > 1) {
    problems.push({ file, line: 1, col: 1, path: '', code: 'config.many', severity: 'error', message: 'a config file holds exactly one RunnerConfig document' });
  }
  return { ...result, problems, config: ok ? (result.documents[0]!.value as unknown as RunnerConfig) : null };
}
