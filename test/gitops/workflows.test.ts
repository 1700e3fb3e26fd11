/**
 * The workflows and the Action (action.yml) parse, and every `lethe` / `npm run` they call exists:
 * each `lethe <command> [<sub>]` names a registered commander command and only options it declares.
 * The repository's own workflows use the Action (`uses: ./`), as the ones `lethe init` scaffolds
 * do (`uses: lethe-dev/lethe@v<version>`); Node 22 and 24; policy-pr runs on approvals.yaml and
 * lethe.yaml; one approval issue per plan hash; a missing runner state is an error.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scaffold } from '../../runner/cli/commands/init.ts';
import { fullProgram } from './program.ts';

const FILES = ['.github/workflows/policy-pr.yml', '.github/workflows/scheduled-apply.yml', 'action.yml'];

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
  if?: string;
  id?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; 'runs-on': string; needs?: string; strategy?: { matrix?: { node?: string[] } } }>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

function load(file: string): Workflow {
  return parse(readFileSync(file, 'utf8')) as Workflow;
}

function steps(w: Workflow | Action): Step[] {
  return 'runs' in w ? w.runs.steps : Object.values(w.jobs).flatMap((j) => j.steps);
}

function loadAny(file: string): Workflow | Action {
  return parse(readFileSync(file, 'utf8')) as Workflow | Action;
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
  for (const m of joined.matchAll(/(?:npx\s+lethe|node\s+bin\/lethe\.js|(?:^|[\s;&|(])lethe)\s+([a-z][^\n|;&>)]*)/gm)) {
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
  it('parse as YAML with the expected triggers, and run through the Action', () => {
    const pr = load(FILES[0]!);
    expect((pr.on.pull_request as { paths: string[] }).paths).toEqual(['policies/**', 'approvals.yaml', 'lethe.yaml', 'action.yml']);
    expect(pr.jobs.check!.strategy?.matrix?.node).toEqual(['22', '24']);
    expect(pr.jobs['plan-diff']!.needs).toBe('check');
    const prSteps = steps(pr);
    expect(prSteps.find((s) => s.uses?.startsWith('actions/checkout') && s.with?.['fetch-depth'] === 0)).toBeDefined();
    expect(prSteps.filter((s) => s.uses === './').map((s) => s.with?.mode)).toEqual(['check', 'pr']);
    const sched = load(FILES[1]!);
    expect(Object.keys(sched.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(sched.permissions?.contents).toBe('write');
    expect(steps(sched).find((s) => s.uses === './')?.with).toMatchObject({ mode: 'apply', 'first-run': '${{ inputs.first_run }}', 'plan-run-id': '${{ inputs.plan_run_id }}' });
    // No workflow pins Node 20 any more.
    for (const f of FILES) expect(readFileSync(f, 'utf8')).not.toMatch(/node-version:\s*'?20\b/);
  });

  it('the Action: composite, pinned install, validate + test, one comment, one issue per plan hash, state on a branch', () => {
    const action = loadAny('action.yml') as Action;
    expect(action.runs.using).toBe('composite');
    expect(action.inputs['node-version']?.default).toBe('22');
    const all = action.runs.steps;
    const runs = all.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npm ci');
    expect(all.find((s) => s.run?.startsWith('lethe validate'))?.if).toBeUndefined();
    expect(all.find((s) => s.run?.startsWith('lethe test'))?.if).toBeUndefined();
    expect(runs).toContain('lethe ci comment --issue');
    expect(runs).toContain('lethe ci approval-issue --plan');
    expect(runs).not.toMatch(/gh issue create/);
    const restore = all.find((s) => s.name?.startsWith('Restore the runner state'))!;
    expect(restore.run).toMatch(/::error::no runner state/);
    expect(restore.run).toMatch(/exit 1/);
    expect(restore.run).not.toMatch(/::notice::/);
    expect(runs).toMatch(/lethe audit verify/);
    expect(runs).toMatch(/git push origin "HEAD:refs\/heads\/\$STATE_BRANCH"/);
    expect(all.find((s) => s.id === 'gate')?.run).toMatch(/--dry-run --format json/);
  });

  it('lethe init scaffolds workflows that use the published Action the same way', async () => {
    const files = await scaffold();
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    const pr = parse(files.get('.github/workflows/policy-pr.yml')!) as Workflow;
    const sched = parse(files.get('.github/workflows/scheduled-apply.yml')!) as Workflow;
    expect((pr.on.pull_request as { paths: string[] }).paths).toEqual(['policies/**', 'approvals.yaml', 'lethe.yaml']);
    expect(pr.jobs.check!.strategy?.matrix?.node).toEqual(['22', '24']);
    const uses = [...steps(pr), ...steps(sched)].filter((s) => s.uses?.startsWith('lethe-dev/lethe@'));
    expect(uses.map((s) => s.uses)).toEqual(Array(3).fill(`lethe-dev/lethe@v${version}`));
    expect(uses.map((s) => s.with?.mode)).toEqual(['check', 'pr', 'apply']);
    const inputs = Object.keys((loadAny('action.yml') as Action).inputs);
    for (const s of uses) for (const k of Object.keys(s.with ?? {})) expect(inputs, k).toContain(k);
    expect(sched.permissions?.contents).toBe('write');
  });

  it('call only lethe commands and options that exist', async () => {
    const program = await programWithPending();
    let seen = 0;
    for (const file of FILES) {
      for (const step of steps(loadAny(file))) {
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
      for (const step of steps(loadAny(file))) {
        for (const m of (step.run ?? '').matchAll(/npm run\s+([\w:-]+)/g)) expect(scripts, `${file}: ${m[0]}`).toContain(m[1]);
      }
    }
  });
});
