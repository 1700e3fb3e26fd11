/**
 * `lethe init [dir]`: scaffolds a policy repository of its own, like `terraform init` — the
 * example policy bundle and its tests, a runner config that names secrets only by reference, an
 * empty approvals file, a .gitignore for everything Lethe writes (snapshots and plans carry
 * personal data or its hashes), and the two GitHub workflows, which use the published Action.
 * Refuses to overwrite anything that exists: nothing is written unless every file is new.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { UserError } from '../errors.ts';

/** The package's root: where `policies/` (the example bundle) and `engine/schemas/` ship. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'policies'))) return dir;
    dir = dirname(dir);
  }
  throw new UserError('cannot find the Lethe package (its policies/ folder): reinstall lethe');
}

/** The version of the Action the scaffolded workflows use: this package's own. */
async function packageVersion(root: string): Promise<string> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

const RUNNER_CONFIG = `# yaml-language-server: $schema=./node_modules/lethe/engine/schemas/runner-config.schema.json
# The runner's config: connections, limits, keys. Secrets are named only by reference
# ({env: NAME} or {file: PATH}); a literal secret is a validation error.
apiVersion: lethe.dev/v1
kind: RunnerConfig
metadata:
  name: production
  version: 1.0.0
  owner: privacy-engineering
  description: The nightly runner.
spec:
  connectors:
    genesys:
      apiUrl: https://api.mypurecloud.ie
      loginUrl: https://login.mypurecloud.ie
      clientId: {env: GENESYS_CLIENT_ID}
      clientSecret: {env: GENESYS_CLIENT_SECRET}
    salesforce:
      loginUrl: https://example.my.salesforce.com
      apiVersion: "60.0"
      flow: client_credentials
      clientId: {env: SALESFORCE_CLIENT_ID}
      clientSecret: {env: SALESFORCE_CLIENT_SECRET}
  policies: policies
  approvalsFile: approvals.yaml
  stateDir: .lethe
  requestStore: ~/.lethe/requests
  limits:
    maxActions: 1000
    maxPercent: 10
    maxSnapshotAge: PT24H
  keys:
    hmac:
      default: {env: LETHE_HMAC_KEY}
    signing: {file: ~/.lethe/keys/signing.key}
  schedules:
    - name: nightly-apply
      cron: "0 2 * * *"
      timezone: UTC
      job: apply
`;

const APPROVALS = `# Approved plan hashes (a plan over a blast-radius limit is applied only when its exact hash is
# here). Add an entry in a reviewed pull request:
# - planHash: sha256:<64 hex>
#   approvedBy: dpo@example.com
#   reason: why this plan may run
#   at: 2026-12-01T10:00:00Z
[]
`;

const GITIGNORE = `# Everything Lethe writes: snapshots hold personal data; plans, reports and state hold hashes of it.
node_modules/
/snap/
/snapshot/
/out/
/.lethe/
/lethe-ci/
plan.json
plan.md
*-plan.json
report.html
*.log
`;

function policyPrWorkflow(version: string): string {
  return `# Policy pull request: validate, test, plan base and head against the same snapshot, comment the diff.
name: policy-pr
on:
  pull_request:
    paths: ['policies/**', 'approvals.yaml', 'lethe.yaml']
permissions:
  contents: read
  pull-requests: write
  issues: write
  actions: read
jobs:
  lethe:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: lethe-dev/lethe@v${version}
        with:
          mode: pr
          config: lethe.yaml
        env:
          LETHE_HMAC_KEY: \${{ secrets.LETHE_HMAC_KEY }}
          LETHE_PLAN_KEY: \${{ secrets.LETHE_PLAN_KEY }}
          LETHE_SNAPSHOT_PASSPHRASE: \${{ secrets.LETHE_SNAPSHOT_PASSPHRASE }}
`;
}

function scheduledWorkflow(version: string): string {
  return `# Nightly: snapshot, plan and apply within limits (a plan over a limit waits for approval).
name: scheduled-apply
on:
  schedule:
    - cron: '0 2 * * *'
  workflow_dispatch:
permissions:
  contents: read
  issues: write
concurrency:
  group: lethe-apply
  cancel-in-progress: false
jobs:
  lethe:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: lethe-dev/lethe@v${version}
        with:
          mode: apply
          config: lethe.yaml
        env:
          GENESYS_CLIENT_ID: \${{ secrets.GENESYS_CLIENT_ID }}
          GENESYS_CLIENT_SECRET: \${{ secrets.GENESYS_CLIENT_SECRET }}
          SALESFORCE_CLIENT_ID: \${{ secrets.SALESFORCE_CLIENT_ID }}
          SALESFORCE_CLIENT_SECRET: \${{ secrets.SALESFORCE_CLIENT_SECRET }}
          LETHE_HMAC_KEY: \${{ secrets.LETHE_HMAC_KEY }}
          LETHE_PLAN_KEY: \${{ secrets.LETHE_PLAN_KEY }}
`;
}

/** Every file `lethe init` writes, relative to the target folder, with its content. */
export async function scaffold(root = packageRoot()): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const bundle = join(root, 'policies');
  for (const f of await filesUnder(bundle)) {
    const rel = relative(bundle, f);
    // Schema hints point at the installed package instead of the repository layout.
    const text = (await readFile(f, 'utf8')).replace(/\$schema=(?:\.\.\/)+engine\/schemas\//, '$schema=../../node_modules/lethe/engine/schemas/');
    files.set(join('policies', rel), text);
  }
  const version = await packageVersion(root);
  files.set('lethe.yaml', RUNNER_CONFIG);
  files.set('approvals.yaml', APPROVALS);
  files.set('.gitignore', GITIGNORE);
  files.set(join('.github', 'workflows', 'policy-pr.yml'), policyPrWorkflow(version));
  files.set(join('.github', 'workflows', 'scheduled-apply.yml'), scheduledWorkflow(version));
  return files;
}

/** Writes the scaffold into `dir`; refuses (writing nothing) when any of its files exists. */
export async function runInit(dir: string, print: (s: string) => void): Promise<string[]> {
  const target = resolve(dir);
  const files = await scaffold();
  const clash = [...files.keys()].filter((f) => existsSync(join(target, f)));
  if (clash.length) {
    throw new UserError(`${dir}: ${clash.length} file(s) exist already (${clash.slice(0, 3).join(', ')}${clash.length > 3 ? ', …' : ''}); nothing was written. Use an empty folder.`);
  }
  for (const [rel, text] of files) {
    await mkdir(dirname(join(target, rel)), { recursive: true });
    await writeFile(join(target, rel), text, { flag: 'wx' });
  }
  print(`Wrote ${files.size} files to ${dir}:\n`);
  for (const rel of files.keys()) print(`  ${rel}\n`);
  print(
    '\nNext:\n  npx lethe validate policies\n  npx lethe test policies\n  npx lethe demo                 # the whole path on emulated systems\n' +
      'Then set the secrets the config names (lethe.yaml) and the repository secrets the workflows use.\n',
  );
  return [...files.keys()];
}

export function register(program: Command): void {
  program
    .command('init')
    .description(
      'Scaffold a policy repository in a folder (default: the current one): the example policy bundle and its tests, lethe.yaml (runner config, secrets by reference), approvals.yaml, a .gitignore for snapshots, plans and state, and the policy-pr and scheduled-apply workflows using the Lethe GitHub Action. Writes nothing if any of those files exists.',
    )
    .argument('[dir]', 'folder to scaffold', '.')
    .addHelpText('after', '\nExamples:\n  mkdir privacy-policies && cd privacy-policies && npx lethe init\n  npx lethe init ../privacy-policies\n\nExit status: 0 when written, 1 when a file exists already (nothing written) or on error.\nEnvironment: none.')
    .action(async (dir: string) => {
      await runInit(dir, (s) => process.stdout.write(s));
    });
}
