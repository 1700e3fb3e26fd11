/**
 * Request store safety and idempotent polling at the CLI (issue 16 items 5, 7, 8, 9): the signing
 * key is checked before a request is opened (with `~` expanded in {file:} references), a store
 * reached through a symbolic link into a repository is refused, polling a closed request is not an
 * error, the actor comes from the configured source, and --requests reads the store as written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { resolveActor } from '../../runner/actor.ts';
import { selfApprovalProblem } from '../../runner/dsr/four-eyes.ts';
import { loadRequestInput } from '../../runner/dsr/request-input.ts';
import { realPathOf } from '../../runner/dsr/store.ts';
import type { StoredRequest } from '../../runner/dsr/types.ts';
import { lethe, writeConfig, writeKeys } from './cli-run.ts';
import { HMAC_HEX } from './world.ts';

const temp = (): string => mkdtempSync(join(tmpdir(), 'lethe-dsr-safety-'));
const idOf = (out: string): string => /^(dsr-\d{4}-\d{2}-[a-z2-7]{8})$/m.exec(out)![1]!;
const OPEN = ['dsr', 'open', '--type', 'erasure', '--email', 'ann@example.com', '--verified-by', 'email-challenge', '--evidence', 'T-1'];

describe('dsr: request store safety (CLI)', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('refuses to open a request when the signing key is missing, before anything is recorded', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', HMAC_HEX);
    const d = temp();
    const cfg = writeConfig(d, { keys: { signing: { file: join(d, 'keys', 'signing.key') } } });
    const r = await lethe([...OPEN, '--config', cfg]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^lethe: keys\.signing: secret file .*signing\.key cannot be read\n$/);
    expect(readdirSync(join(d, 'requests'))).toEqual([]);
    expect(existsSync(join(d, 'state', 'audit.jsonl'))).toBe(false);
    const none = await lethe([...OPEN, '--store', join(d, 'requests'), '--state-dir', join(d, 'state')]);
    expect(none.code).toBe(1);
    expect(none.err).toContain('no signing key: pass --config FILE');
    const notEd = writeConfig(d, { keys: { signing: { file: cfg } } }, 'bad.yaml');
    expect((await lethe([...OPEN, '--config', notEd])).err).toMatch(/keys\.signing: secret file .* is readable by other users|not a private key/);
  });

  it('expands ~ in {file:} references (signing key and HMAC key)', async () => {
    const home = temp();
    vi.stubEnv('HOME', home);
    vi.stubEnv('LETHE_HMAC_KEY', '');
    writeKeys(join(home, '.lethe', 'keys'));
    mkdirSync(join(home, 'k'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(home, 'k', 'hmac.key'), HMAC_HEX, { mode: 0o600 });
    const d = temp();
    const cfg = writeConfig(d, { keys: { signing: { file: '~/.lethe/keys/signing.key' }, hmac: { default: { file: '~/k/hmac.key' } } } });
    const r = await lethe([...OPEN, '--config', cfg, '--actor', 'alice']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/VALIDATING/);
    // The run ended with a signed checkpoint of the audit log, in its own folder.
    expect(readdirSync(join(d, 'state', 'audit-checkpoints'))).toEqual(['audit.jsonl.checkpoints.jsonl']);
  });

  it('refuses a store whose real path is inside a git work tree (symbolic links resolved, existing or not)', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', HMAC_HEX);
    const d = temp();
    const repo = join(d, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'data'));
    symlinkSync(join(repo, 'data'), join(d, 'link'));
    for (const store of [join(d, 'link'), join(d, 'link', 'requests', 'new')]) {
      const r = await lethe(['dsr', 'list', '--store', store]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`(really ${join(realPathOf(repo), 'data')}`);
      expect(r.err).toContain('is inside the git work tree');
    }
    expect(readdirSync(join(repo, 'data'))).toEqual([]);
    expect((await lethe(['dsr', 'list', '--store', join(d, 'outside')])).code).toBe(0);
  });

  it('polls idempotently: a closed request exits 0 and says so; --all with nothing executing exits 0', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', HMAC_HEX);
    const d = temp();
    const keys = writeKeys(join(d, 'keys'));
    const cfg = writeConfig(d, { keys: { signing: { file: keys.key } } });
    const id = idOf((await lethe([...OPEN, '--config', cfg])).out);
    expect((await lethe(['dsr', 'reject', id, '--basis', 'GDPR Art. 12(5)(b): manifestly unfounded', '--config', cfg])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const p = await lethe(['dsr', 'poll', id, '--config', cfg]);
      expect(p).toMatchObject({ code: 0, err: '' });
      expect(p.out).toMatch(new RegExp(`^${id}: REJECTED, closed \\d{4}-\\d{2}-\\d{2}; nothing to poll\\n$`));
    }
    const all = await lethe(['dsr', 'poll', '--all', '--config', cfg]);
    expect(all).toMatchObject({ code: 0, out: 'no EXECUTING requests to poll\n' });
    expect((await lethe(['dsr', 'poll', '--config', cfg])).code).toBe(1);
    expect((await lethe(['dsr', 'poll', '--help'])).out).toContain('--all');
  });

  it('--requests reads the request store as dsr open writes it (closed requests skipped), and YAML files', async () => {
    vi.stubEnv('LETHE_HMAC_KEY', HMAC_HEX);
    const d = temp();
    const keys = writeKeys(join(d, 'keys'));
    const cfg = writeConfig(d, { keys: { signing: { file: keys.key } } });
    const id = idOf((await lethe([...OPEN, '--name', 'Ann Example', '--config', cfg])).out);
    const closed = idOf((await lethe([...OPEN, '--config', cfg])).out);
    await lethe(['dsr', 'reject', closed, '--basis', 'GDPR Art. 12(5)(b): manifestly unfounded', '--config', cfg]);
    const store = join(d, 'requests');
    const v = await lethe(['validate', '--requests', store, 'policies']);
    expect(v.err).toMatch(/^valid: \d+ documents/);
    expect(v.code).toBe(0);
    const input = await loadRequestInput(store);
    expect(input.problems).toEqual([]);
    expect(input.closed).toBe(1);
    expect(input.requests.map((r) => r.metadata.name)).toEqual([id]);
    expect(input.requests[0]!.spec.identifiers).toEqual(['email:ann@example.com']);
    // A broken stored request is reported with its file, line and path.
    const file = join(store, id, 'request.json');
    const r = JSON.parse(readFileSync(file, 'utf8')) as StoredRequest;
    (r.document.spec as { receivedAt: string }).receivedAt = 'yesterday';
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(r, null, 2));
    const bad = await lethe(['validate', '--requests', store, 'policies']);
    expect(bad.code).toBe(1);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('"yesterday"')) + 1;
    expect(bad.out + bad.err).toContain(`request.json:${line}:`);
    expect(bad.out + bad.err).toContain('document.spec.receivedAt');
    // The YAML form (fixtures) still loads, and the help names both.
    expect((await loadRequestInput('test/policy-language/requests-invalid')).problems.length).toBeGreaterThan(0);
    expect((await lethe(['validate', '--help'])).out).toMatch(/request\s+store\s+as\s+lethe\s+dsr\s+open\s+writes\s+it/);
    expect((await lethe(['plan', '--help'])).out).toMatch(/request\s+store\s+as\s+lethe\s+dsr\s+open\s+writes\s+it/);
  });
});

describe('actor and four eyes', () => {
  it('takes the actor from the configured source', () => {
    const os = (): string => 'osuser';
    expect(resolveActor({ env: {}, os })).toBe('osuser');
    expect(resolveActor({ env: { LETHE_ACTOR: 'ci-bot' }, os })).toBe('ci-bot');
    expect(resolveActor({ flag: 'alice', env: { LETHE_ACTOR: 'ci-bot' }, os })).toBe('alice');
    expect(resolveActor({ env: { GITHUB_ACTOR: 'gh' }, os })).toBe('gh');
    expect(resolveActor({ env: { LETHE_ACTOR: 'x' }, config: { source: 'os-user' }, os })).toBe('osuser');
    expect(() => resolveActor({ flag: 'alice', env: {}, config: { source: 'os-user' }, os })).toThrow(/--actor is not accepted.*OS user/);
    expect(resolveActor({ env: { CI_USER: 'runner-7' }, config: { source: 'env', env: 'CI_USER' }, os })).toBe('runner-7');
    expect(() => resolveActor({ env: {}, config: { source: 'env', env: 'CI_USER' }, os })).toThrow(/CI_USER.*not set/);
    expect(() => resolveActor({ flag: 'a', env: { CI_USER: 'b' }, config: { source: 'env', env: 'CI_USER' }, os })).toThrow(/--actor is not accepted/);
    expect(() => resolveActor({ env: {}, config: { source: 'flag' }, os })).toThrow(/requires --actor/);
    expect(() => resolveActor({ flag: ' \u0007', env: {}, os })).toThrow(/printable/);
  });

  it('refuses the opener or the verifier as approver of an erasure unless self-approval is allowed', () => {
    const r = {
      id: 'dsr-2026-11-aaaaaaaa',
      history: [{ at: '2026-11-01T00:00:00Z', from: null, to: 'RECEIVED', actor: 'alice' }],
      document: { spec: { type: 'erasure', verification: { method: 'm', reference: 'r', verifiedBy: 'victor', verifiedAt: '2026-11-01T00:00:00Z' } } },
    } as unknown as StoredRequest;
    expect(selfApprovalProblem(r, 'alice')).toMatch(/alice opened request/);
    expect(selfApprovalProblem(r, 'victor')).toMatch(/victor verified request/);
    expect(selfApprovalProblem(r, 'bob')).toBeNull();
    expect(selfApprovalProblem(r, 'alice', true)).toBeNull();
    const access = { ...r, document: { spec: { ...r.document.spec, type: 'access' } } } as unknown as StoredRequest;
    expect(selfApprovalProblem(access, 'alice')).toBeNull();
  });
});
