/**
 * The workflows parse, and every `lethe` / `npm run` they call exists: each `npx lethe <command>
 * [<sub>]` names a registered commander command and only options it declares.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fullProgram } from './program.ts';

const FILES = ['.github/workflows/policy-pr.yml', '.github/workflows/scheduled-apply.yml'];

/**
 * Commands written in this area or by the lead that are not in runner/cli/commands/index.ts yet.
 * Their modules exist; an entry is used only while index.ts does not register the command, so
 * once registered the check runs against the real program (then the entry can go).
 */
const PENDING: Record<string, () => Promise<(program: Command) => void>> = {
  ci: async () => (await import('../../runner/cli/commands/ci.ts')).register,
  report: async () => (await import('../../runner/cli/commands/report.ts')).register,
  forecast: async () => (await import('../../runner/cli/commands/forecast.ts')).register,
  snapshot: async () => (await import('../../runner/cli/commands/snapshot.ts')).register,
  apply: async () => (await import('../../runner/cli/commands/apply.ts')).register,
};

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, { steps: Step[]; 'runs-on': string }>;
}

function load(file: string): Workflow {
  return parse(readFileSync(file, 'utf8')) as Workflow;
}

function steps(w: Workflow): Step[] {
  return Object.values(w.jobs).flatMap((j) => j.steps);
}

interface Invocation {
  words: string[];
  flags: string[];
  line: string;
}

/** `npx lethe …` and `node bin/lethe.js …` invocations in a run script (continuation lines joined). */
function lethes(script: string): Invocation[] {
  const joined = script.replace(/\\\n\s*/g, ' ');
  const out: Invocation[] = [];
  for (const m of joined.matchAll(/(?:npx\s+lethe|node\s+bin\/lethe\.js)\s+([^\n|;&>)]*)/g)) {
    const rest = m[1]!.trim();
    const flags = [...rest.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((f) => f[1]!);
    out.push({ words: rest.split(/\s+/).slice(0, 2), flags, line: m[0] });
  }
  return out;
}

async function programWithPending(): Promise<Command> {
  const program = await fullProgram();
  const have = new Set(program.commands.map((c) => c.name()));
  for (const [name, get] of Object.entries(PENDING)) if (!have.has(name)) (await get())(program);
  return program;
}

function resolve(program: Command, inv: Invocation): Command {
  const top = program.commands.find((c) => c.name() === inv.words[0]);
  if (!top) throw new Error(`no command lethe ${inv.words[0]} (${inv.line})`);
  if (top.commands.length === 0) return top;
  const sub = top.commands.find((c) => c.name() === inv.words[1]);
  if (!sub) throw new Error(`no command lethe ${inv.words.join(' ')} (${inv.line})`);
  return sub;
}

describe('workflows', () => {
  it('parse as YAML with the expected triggers and setup', () => {
    const pr = load(FILES[0]!);
    expect((pr.on.pull_request as { paths: string[] }).paths).toEqual(['policies/**']);
    const prSteps = steps(pr);
    expect(prSteps.find((s) => s.uses?.startsWith('actions/checkout'))?.with?.['fetch-depth']).toBe(0);
    expect(prSteps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.['node-version']).toBe(20);
    expect(prSteps.some((s) => s.run === 'npm ci')).toBe(true);
    expect(prSteps.some((s) => s.run === 'npx lethe validate --format github policies')).toBe(true);
    const comment = prSteps.find((s) => s.uses?.startsWith('actions/github-script') && String(s.with?.script).includes('updateComment'));
    expect(String(comment?.with?.script)).toContain('<!-- lethe-plan-diff -->');
    const sched = load(FILES[1]!);
    expect(Object.keys(sched.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(steps(sched).some((s) => /gh issue create/.test(s.run ?? ''))).toBe(true);
  });

  it('call only lethe commands and options that exist', async () => {
    const program = await programWithPending();
    let seen = 0;
    for (const file of FILES) {
      for (const step of steps(load(file))) {
        for (const inv of lethes(step.run ?? '')) {
          seen++;
          const cmd = resolve(program, inv);
          const known = new Set(cmd.options.flatMap((o) => [o.long, o.negate ? o.long : undefined]).filter(Boolean) as string[]);
          for (const f of inv.flags) expect(known.has(f), `${file}: ${inv.line}: ${f}`).toBe(true);
        }
      }
    }
    expect(seen).toBeGreaterThanOrEqual(10);
  });

  it('call only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);
    for (const file of FILES) {
      for (const step of steps(load(file))) {
        for (const m of (step.run ?? '').matchAll(/npm run\s+([\w:-]+)/g)) expect(scripts, `${file}: ${m[0]}`).toContain(m[1]);
      }
    }
  });
});
