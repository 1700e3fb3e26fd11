/** A throw-away git repository with the example policies in two commits, and a small generated snapshot. */
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeGeneratedSnapshot } from '../../connectors/generate/snapshot.ts';

export const NOW = '2025-06-01T00:00:00.000Z';
export const VOICE = 'policies/retention/voice-recordings.yaml';

export interface FixtureRepo {
  dir: string;
  repo: string;
  snapshot: string;
  git: (...args: string[]) => string;
  commit: (message: string) => string;
}

export async function fixtureRepo(): Promise<FixtureRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'lethe-gitops-'));
  const repo = join(dir, 'repo');
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', repo, ...args], {
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@example.test', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@example.test', GIT_CONFIG_NOSYSTEM: '1', HOME: dir },
    }).trim();
  await cp('policies', join(repo, 'policies'), { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  const commit = (message: string): string => {
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const snapshot = join(dir, 'snapshot');
  await writeGeneratedSnapshot({ seed: 11, records: 1500, now: NOW, out: snapshot });
  return { dir, repo, snapshot, git, commit };
}

export async function editFile(repo: string, file: string, from: string, to: string): Promise<void> {
  const path = join(repo, file);
  const text = await readFile(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  await writeFile(path, text.replace(from, to));
}
