/**
 * A policy document whose content changed between base and head while its `metadata.version` did
 * not: plans, audit entries and certificates cite documents by name and version, so two different
 * rules under one version make the record ambiguous. Documents are matched by identity (kind and
 * metadata.name), wherever their files are; content is compared in canonical form, version aside.
 */
import { canonicalJson } from '../../engine/canonical.ts';
import type { LoadedDocument, Problem } from '../../engine/load/index.ts';

export interface UnbumpedVersion {
  kind: string;
  name: string;
  version: string;
  /** The head file and line of the document (as loaded: map it to the repository with `place`). */
  file: string;
  line: number;
}

function withoutVersion(value: Record<string, unknown>): string {
  const metadata = { ...(value.metadata as Record<string, unknown> | undefined) };
  delete metadata.version;
  return canonicalJson({ ...value, metadata });
}

/** Head documents that changed since base with the same version, in head order. */
export function unbumpedVersions(base: readonly LoadedDocument[], head: readonly LoadedDocument[]): UnbumpedVersion[] {
  const before = new Map(base.map((d) => [`${d.kind}/${d.name}`, d]));
  const out: UnbumpedVersion[] = [];
  for (const d of head) {
    const b = before.get(`${d.kind}/${d.name}`);
    if (!b || b.version !== d.version) continue;
    if (withoutVersion(b.value) !== withoutVersion(d.value)) out.push({ kind: d.kind, name: d.name, version: d.version, file: d.file, line: d.line });
  }
  return out;
}

/** The warning for one such document, located at its head file. */
export function unbumpedProblem(u: UnbumpedVersion, place: (file: string) => string): Problem {
  return {
    file: place(u.file),
    line: u.line,
    col: 1,
    path: 'metadata.version',
    message: `${u.kind}/${u.name} changed but its version is still ${u.version}: bump metadata.version so plans and audit entries citing it stay unambiguous`,
    severity: 'warning',
    code: 'version.unchanged',
  };
}
