/**
 * One approval issue per plan hash and one comment per pull request, against a fake GitHub REST
 * server over HTTP on 127.0.0.1 (pagination by Link headers, bearer token checked): the nightly
 * run that makes the same plan again updates its issue (reopening it if closed) instead of opening
 * another; another hash gets its own; the token never appears in an error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approvalMarker, upsertApprovalIssue, upsertComment, type GitHubTarget } from '../../runner/ci/github.ts';

const TOKEN = 'ghs_test-token-never-printed';
const PAGE = 2; // small pages, so every list is paginated

interface Issue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  labels: string[];
  pull_request?: object;
}
interface Comment {
  id: number;
  issue: number;
  body: string;
}

class FakeGitHub {
  issues: Issue[] = [];
  comments: Comment[] = [];
  requests: string[] = [];
  private next = 1;
  server: Server = createServer((req, res) => void this.handle(req, res));

  reset(): void {
    this.issues = [];
    this.comments = [];
    this.requests = [];
    this.next = 1;
  }
  addIssue(i: Omit<Issue, 'number'>): Issue {
    const issue = { ...i, number: this.next++ };
    this.issues.push(issue);
    return issue;
  }
  private page<T>(res: ServerResponse, url: URL, list: T[]): void {
    const page = Number(url.searchParams.get('page') ?? '1');
    const slice = list.slice((page - 1) * PAGE, page * PAGE);
    if (page * PAGE < list.length) {
      const n = new URL(url);
      n.searchParams.set('page', String(page + 1));
      res.setHeader('link', `<${n.href}>; rel="next"`);
    }
    this.send(res, 200, slice);
  }
  private send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const c of req) raw += c;
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    this.requests.push(`${req.method} ${url.pathname}`);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return this.send(res, 401, { message: 'Bad credentials' });
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    let m: RegExpMatchArray | null;
    if (req.method === 'GET' && url.pathname === '/repos/acme/privacy/issues') {
      const label = url.searchParams.get('labels');
      const state = url.searchParams.get('state') ?? 'open';
      return this.page(res, url, this.issues.filter((i) => (state === 'all' || i.state === state) && (!label || i.labels.includes(label))));
    }
    if (req.method === 'POST' && url.pathname === '/repos/acme/privacy/issues') {
      return this.send(res, 201, this.addIssue({ title: String(body.title), body: String(body.body), state: 'open', labels: (body.labels as string[]) ?? [] }));
    }
    if (req.method === 'PATCH' && (m = url.pathname.match(/^\/repos\/acme\/privacy\/issues\/(\d+)$/))) {
      const i = this.issues.find((x) => x.number === Number(m![1]));
      if (!i) return this.send(res, 404, { message: 'Not Found' });
      if (typeof body.body === 'string') i.body = body.body;
      if (body.state === 'open' || body.state === 'closed') i.state = body.state;
      return this.send(res, 200, i);
    }
    if (req.method === 'GET' && (m = url.pathname.match(/^\/repos\/acme\/privacy\/issues\/(\d+)\/comments$/))) {
      return this.page(res, url, this.comments.filter((c) => c.issue === Number(m![1])));
    }
    if (req.method === 'POST' && (m = url.pathname.match(/^\/repos\/acme\/privacy\/issues\/(\d+)\/comments$/))) {
      const c = { id: 1000 + this.comments.length, issue: Number(m[1]), body: String(body.body) };
      this.comments.push(c);
      return this.send(res, 201, c);
    }
    if (req.method === 'PATCH' && (m = url.pathname.match(/^\/repos\/acme\/privacy\/issues\/comments\/(\d+)$/))) {
      const c = this.comments.find((x) => x.id === Number(m![1]));
      if (!c) return this.send(res, 404, { message: 'Not Found' });
      c.body = String(body.body);
      return this.send(res, 200, c);
    }
    this.send(res, 404, { message: 'Not Found' });
  }
}

const gh = new FakeGitHub();
let target: GitHubTarget;
beforeAll(async () => {
  await new Promise<void>((r) => gh.server.listen(0, '127.0.0.1', r));
  target = { api: `http://127.0.0.1:${(gh.server.address() as AddressInfo).port}`, repo: 'acme/privacy', token: TOKEN };
});
afterAll(() => new Promise<void>((r) => gh.server.close(() => r())));
beforeEach(() => gh.reset());

const HASH_A = 'sha256:' + 'a'.repeat(64);
const HASH_B = 'sha256:' + 'b'.repeat(64);

describe('one approval issue per plan hash', () => {
  it('is created once, then found and updated on every later run (across pages of other issues)', async () => {
    for (let i = 0; i < 5; i++) gh.addIssue({ title: `other ${i}`, body: 'unrelated', state: 'open', labels: ['needs-plan-approval'] });
    const first = await upsertApprovalIssue(target, HASH_A, 'night 1');
    expect(first.action).toBe('created');
    for (let night = 2; night <= 4; night++) {
      const again = await upsertApprovalIssue(target, HASH_A, `night ${night}`);
      expect(again).toEqual({ action: 'updated', number: first.number });
    }
    const mine = gh.issues.filter((i) => i.body.includes(approvalMarker(HASH_A)));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toBe(`${approvalMarker(HASH_A)}\nnight 4`);
    expect(mine[0]!.title).toBe('Lethe: plan aaaaaaaaaaaa needs approval');
    expect(mine[0]!.labels).toEqual(['needs-plan-approval']);
    // the list was read page by page (7 issues, pages of 2)
    expect(gh.requests.filter((r) => r === 'GET /repos/acme/privacy/issues').length).toBeGreaterThanOrEqual(4 * 3);
  });
  it('a closed issue of the same hash is reopened, not duplicated; another hash gets its own', async () => {
    const a = await upsertApprovalIssue(target, HASH_A, 'x');
    gh.issues.find((i) => i.number === a.number)!.state = 'closed';
    expect(await upsertApprovalIssue(target, HASH_A, 'y')).toEqual({ action: 'reopened', number: a.number });
    const b = await upsertApprovalIssue(target, HASH_B, 'z');
    expect(b.action).toBe('created');
    expect(b.number).not.toBe(a.number);
    expect(gh.issues).toHaveLength(2);
  });
  it('a pull request carrying the marker is not taken for the issue', async () => {
    gh.addIssue({ title: 'PR', body: approvalMarker(HASH_A), state: 'open', labels: ['needs-plan-approval'], pull_request: {} });
    expect((await upsertApprovalIssue(target, HASH_A, 'x')).action).toBe('created');
  });
  it('refuses what is not a plan hash, and keeps the token out of errors', async () => {
    await expect(upsertApprovalIssue(target, 'sha256:nothex', 'x')).rejects.toThrow(/not a plan hash/);
    const bad = { ...target, token: 'wrong' };
    const e = await upsertApprovalIssue(bad, HASH_A, 'x').catch((x: Error) => x);
    expect(String(e)).toMatch(/answered 401/);
    expect(String(e)).not.toContain('wrong');
    expect(String(e)).not.toContain(TOKEN);
  });
});

describe('one comment per pull request', () => {
  it('is created once and updated afterwards, other comments untouched', async () => {
    gh.comments.push({ id: 1, issue: 7, body: 'a reviewer' }, { id: 2, issue: 7, body: 'another' }, { id: 3, issue: 7, body: 'third' });
    const first = await upsertComment(target, 7, '<!-- lethe-plan-diff -->', '<!-- lethe-plan-diff -->\nplan diff 1');
    expect(first.action).toBe('created');
    const again = await upsertComment(target, 7, '<!-- lethe-plan-diff -->', 'plan diff 2');
    expect(again).toEqual({ action: 'updated', number: first.number });
    const mine = gh.comments.filter((c) => c.body.startsWith('<!-- lethe-plan-diff -->'));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toBe('<!-- lethe-plan-diff -->\nplan diff 2');
    expect(gh.comments.filter((c) => !c.body.startsWith('<!--')).map((c) => c.body)).toEqual(['a reviewer', 'another', 'third']);
  });
});
