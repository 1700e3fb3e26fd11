/**
 * The container image definition, checked statically (building it needs a Docker daemon, which
 * CI's `docker` job has and this machine may not): Debian-slim Node.js 22 pinned to an exact
 * release, built from the packed tarball without dev dependencies, run as a non-root user with
 * `lethe` as the entry point; the build context leaves out installed modules and anything a user
 * generated; CI builds and smoke-tests it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = new URL('../../', import.meta.url).pathname;
const read = (f: string): string => readFileSync(repo + f, 'utf8');

/** Dockerfile instructions (continuation lines joined, comments dropped), split into stages. */
function stages(text: string): Array<Array<{ op: string; args: string }>> {
  const out: Array<Array<{ op: string; args: string }>> = [];
  const joined = text.replace(/\\\n/g, ' ').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  for (const line of joined) {
    const m = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const ins = { op: m[1]!.toUpperCase(), args: m[2]!.trim() };
    if (ins.op === 'FROM') out.push([]);
    out.at(-1)?.push(ins);
  }
  return out;
}

describe('Dockerfile', () => {
  const all = stages(read('Dockerfile'));
  const final = all.at(-1)!;
  const ops = (op: string): string[] => final.filter((i) => i.op === op).map((i) => i.args);

  it('builds every stage on an exactly pinned Debian-slim Node.js image, Node 22 at run time', () => {
    expect(all.length).toBeGreaterThanOrEqual(1);
    for (const s of all) expect(s[0]!.args).toMatch(/^node:\d+\.\d+\.\d+-(bookworm|trixie)-slim(@sha256:[0-9a-f]{64})?(\s+AS\s+\w+)?$/i);
    expect(final[0]!.args).toMatch(/^node:22\./);
  });

  it('installs the packed tarball without dev dependencies or install scripts', () => {
    expect(all.flat().some((i) => i.op === 'RUN' && /\bnpm pack\b/.test(i.args))).toBe(true);
    const install = ops('RUN').find((r) => /npm install/.test(r));
    expect(install).toMatch(/--omit=dev/);
    expect(install).toMatch(/--ignore-scripts/);
    expect(install).toMatch(/\.tgz\b/);
    expect(ops('COPY').every((c) => c.startsWith('--from='))).toBe(true); // the run stage gets only the tarball
  });

  it('runs as a non-root user with lethe as the exec-form entry point', () => {
    const users = ops('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const userAt = final.findIndex((i) => i.op === 'USER');
    const entryAt = final.findIndex((i) => i.op === 'ENTRYPOINT');
    expect(userAt).toBeGreaterThan(0);
    expect(entryAt).toBeGreaterThan(userAt);
    expect(JSON.parse(ops('ENTRYPOINT').at(-1)!)).toEqual(['lethe']);
    // The working folder the user mounts or writes in belongs to that user.
    expect(ops('RUN').join(' ')).toMatch(/chown lethe(:lethe)? \/work/);
    expect(ops('WORKDIR').at(-1)).toBe('/work');
  });

  it('keeps installed modules, builds, git and user outputs out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['node_modules', 'dist', '.git', 'out', 'snap', '.lethe', '*.tgz']) expect(ignored).toContain(p);
  });

  it('is built and smoke-tested in CI (the docker job), and by .ci/run only where a daemon answers', () => {
    const ci = parse(read('.github/workflows/ci.yml')) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
    expect(Object.values(ci.jobs).some((j) => j.steps.some((s) => s.run?.includes('.ci/docker-smoke')))).toBe(true);
    const smoke = read('.ci/docker-smoke');
    expect(smoke).toMatch(/docker build/);
    expect(smoke).toMatch(/docker run --rm "\$tag" --help/);
    expect(smoke).toMatch(/docker run --rm "\$tag" demo\b/);
    expect(read('.ci/run')).toMatch(/docker info >\/dev\/null 2>&1; then\s+bash \.ci\/docker-smoke/);
  });
});
