/**
 * The two things the workflows ask of GitHub, as one small REST client (global fetch):
 * - one pull-request comment per marker, found and updated, never posted twice;
 * - one "needs approval" issue per plan hash, found by a marker in its body and updated (reopened
 *   if it was closed), never duplicated however many nightly runs produce the same plan.
 * The token is sent only in the Authorization header and never appears in an error message.
 * Bodies carry counts, hashes and policy names only (the plan's Markdown), never personal data.
 */
import { UserError } from '../cli/errors.ts';

export interface GitHubTarget {
  /** API root, e.g. https://api.github.com (GITHUB_API_URL). */
  api: string;
  /** `owner/name` (GITHUB_REPOSITORY). */
  repo: string;
  token: string;
}

interface IssueLike {
  number: number;
  state?: string;
  body?: string | null;
  pull_request?: unknown;
}
interface CommentLike {
  id: number;
  body?: string | null;
}

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** Issues on GitHub stop at 65,536 characters: longer bodies are cut with a note. */
export const MAX_BODY = 65_000;

function clip(body: string): string {
  return body.length <= MAX_BODY ? body : `${body.slice(0, MAX_BODY)}\n\n… (cut: see the run's artefacts for the whole text)\n`;
}

async function call<T>(t: GitHubTarget, method: string, path: string, body?: unknown): Promise<{ data: T; next: string | null }> {
  if (!REPO.test(t.repo)) throw new UserError(`not a GitHub repository name: ${JSON.stringify(t.repo)} (expected owner/name)`);
  const url = path.startsWith('http') ? path : `${t.api.replace(/\/+$/, '')}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { accept: 'application/vnd.github+json', authorization: `Bearer ${t.token}`, 'x-github-api-version': '2022-11-28', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new UserError(`GitHub API ${method} ${path} failed: ${(e as Error).message}`);
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ');
    throw new UserError(`GitHub API ${method} ${path} answered ${res.status}${text ? `: ${text}` : ''}`);
  }
  const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
  const data = (res.status === 204 ? null : await res.json()) as T;
  return { data, next };
}

/** Every page of a list endpoint (follows `Link: rel="next"`, at most `maxPages`). */
async function all<T>(t: GitHubTarget, path: string, maxPages = 50): Promise<T[]> {
  const out: T[] = [];
  let next: string | null = path;
  for (let i = 0; next && i < maxPages; i++) {
    const r: { data: T[]; next: string | null } = await call<T[]>(t, 'GET', next);
    if (!Array.isArray(r.data)) throw new UserError(`GitHub API GET ${path}: expected a list`);
    out.push(...r.data);
    next = r.next;
  }
  return out;
}

export type Upsert = { action: 'created' | 'updated' | 'reopened'; number: number };

/** The comment on issue/PR `issue` whose body starts with `marker`, updated; or a new one. */
export async function upsertComment(t: GitHubTarget, issue: number, marker: string, body: string): Promise<Upsert> {
  const text = clip(body.startsWith(marker) ? body : `${marker}\n${body}`);
  const comments = await all<CommentLike>(t, `/repos/${t.repo}/issues/${issue}/comments?per_page=100`);
  const mine = comments.find((c) => typeof c.body === 'string' && c.body.startsWith(marker));
  if (mine) {
    await call(t, 'PATCH', `/repos/${t.repo}/issues/comments/${mine.id}`, { body: text });
    return { action: 'updated', number: mine.id };
  }
  const r = await call<CommentLike>(t, 'POST', `/repos/${t.repo}/issues/${issue}/comments`, { body: text });
  return { action: 'created', number: r.data.id };
}

/** The hidden marker that names a plan's approval issue. */
export function approvalMarker(planHash: string): string {
  if (!/^sha256:[0-9a-f]{64}$/.test(planHash)) throw new UserError(`not a plan hash: ${JSON.stringify(planHash.slice(0, 80))}`);
  return `<!-- lethe-plan-approval ${planHash} -->`;
}

/**
 * The one issue for `planHash` (label `label`, open or closed, found by its marker), its body
 * replaced by `body`; a closed one is reopened (the plan still waits). Created only when none exists.
 */
export async function upsertApprovalIssue(t: GitHubTarget, planHash: string, body: string, label = 'needs-plan-approval'): Promise<Upsert> {
  const marker = approvalMarker(planHash);
  const text = clip(`${marker}\n${body}`);
  const issues = await all<IssueLike>(t, `/repos/${t.repo}/issues?state=all&labels=${encodeURIComponent(label)}&per_page=100`);
  const mine = issues.filter((i) => !i.pull_request && typeof i.body === 'string' && i.body.includes(marker)).sort((a, b) => a.number - b.number)[0];
  if (mine) {
    const reopen = mine.state === 'closed';
    await call(t, 'PATCH', `/repos/${t.repo}/issues/${mine.number}`, { body: text, ...(reopen ? { state: 'open' } : {}) });
    return { action: reopen ? 'reopened' : 'updated', number: mine.number };
  }
  const r = await call<IssueLike>(t, 'POST', `/repos/${t.repo}/issues`, { title: `Lethe: plan ${planHash.slice(7, 19)} needs approval`, body: text, labels: [label] });
  return { action: 'created', number: r.data.number };
}

/** The target from the environment GitHub Actions sets (GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN or GH_TOKEN). */
export function targetFromEnv(env: NodeJS.ProcessEnv, repo?: string): GitHubTarget {
  const token = env.GITHUB_TOKEN || env.GH_TOKEN;
  if (!token) throw new UserError('no GitHub token: set GITHUB_TOKEN (or GH_TOKEN)');
  const r = repo ?? env.GITHUB_REPOSITORY;
  if (!r) throw new UserError('no repository: pass --repo owner/name or set GITHUB_REPOSITORY');
  return { api: env.GITHUB_API_URL || 'https://api.github.com', repo: r, token };
}
