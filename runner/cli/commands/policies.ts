/** `lethe policies`: what the bundle contains. */
import type { Command } from 'commander';
import { formatProblem, hasErrors, loadPolicyDir } from '../../../engine/load/index.ts';

export function register(program: Command): void {
  program
    .command('policies')
    .description('List the documents of a policy bundle: kind, name, version, owner, file; and the bundle hash.')
    .argument('[dir]', 'policy folder', 'policies')
    .option('--format <format>', 'text or json', 'text')
    .action(async (dir: string, opts: { format: string }) => {
      const r = await loadPolicyDir(dir, { now: new Date().toISOString() });
      if (hasErrors(r.problems) || !r.bundle) {
        for (const p of r.problems) process.stderr.write(`${formatProblem(p)}\n`);
        process.stderr.write('the bundle is not valid: run lethe validate for details\n');
        process.exitCode = 1;
        return;
      }
      const rows = r.documents
        .map((d) => ({ kind: d.kind, name: d.name, version: d.version, owner: d.owner, file: `${d.file}:${d.line}` }))
        .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify({ bundleHash: r.bundle.hash, documents: rows }, null, 2)}\n`);
        return;
      }
      process.stdout.write(table(['KIND', 'NAME', 'VERSION', 'OWNER', 'FILE'], rows.map((x) => [x.kind, x.name, x.version, x.owner, x.file])));
      process.stdout.write(`\n${rows.length} documents, bundle ${r.bundle.hash}\n`);
    });
}

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  return line(head) + rows.map(line).join('');
}
