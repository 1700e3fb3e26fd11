/** A plan as Markdown, for people (a terminal or a PR comment). Ids and counts only: plans carry no personal data. */
import type { Plan } from './types.ts';
import { estimateActions, estimateMarkdown, planTargets } from './estimate.ts';

const EXAMPLES = 5;

function table(title: string, counts: Record<string, number>): string[] {
  const keys = Object.keys(counts).sort();
  if (keys.length === 0) return [];
  return [`| ${title} | actions |`, '|---|---:|', ...keys.map((k) => `| \`${k}\` | ${counts[k]} |`), ''];
}

export function planMarkdown(plan: Plan): string {
  const s = plan.summary;
  const lines: string[] = [
    `## Lethe plan: ${s.actions} action${s.actions === 1 ? '' : 's'}, ${s.protected} protected${plan.needsApproval ? ' — **needs approval**' : ''}`,
    '',
    `now \`${plan.inputs.now}\` · bundle \`${plan.inputs.bundleHash.slice(0, 19)}…\` · snapshot \`${plan.inputs.snapshotHash.slice(0, 19)}…\` · plan \`${plan.hash.slice(0, 19)}…\``,
    '',
    ...table('policy', s.byPolicy),
    ...table('op', s.byOp),
    // Recomputed from the actions (the same figure as summary.estimate; nothing in a plan file is trusted).
    ...estimateMarkdown(estimateActions(planTargets(plan.actions))),
  ];
  if (plan.inputs.incompleteSnapshot?.length) {
    lines.push(`> ⚠️ Incomplete snapshot (accepted with \`--allow-incomplete-snapshot\`): missing ${plan.inputs.incompleteSnapshot.map((m) => `\`${m}\``).join(', ')}`, '');
  }
  if (s.holdsCheckedAtApply && Object.keys(s.holdsCheckedAtApply).length > 0) {
    const list = Object.entries(s.holdsCheckedAtApply).map(([system, n]) => `${system} ${n}`).join(', ');
    lines.push(`> Deletion protection checked at apply, not in this snapshot (outside its coverage): ${list} actions.`, '');
  }
  if (s.holdConflicts?.length) {
    lines.push('### Hold records with conflicting fields (still protecting)', '');
    for (const c of s.holdConflicts) lines.push(`- \`${c.hold}\` (case \`${c.caseRef}\`): ${c.conflict}${c.expires ? `, expires ${c.expires}` : ''}`);
    lines.push('');
  }
  const exceeded = s.limits.filter((l) => l.exceeded);
  if (exceeded.length > 0) {
    lines.push('### Blast-radius limits exceeded', '');
    for (const l of exceeded) {
      lines.push(`- \`${l.policy}\`${l.request ? ` (request ${l.request})` : ''}: ${l.actions} actions of ${l.matched} matched records (limit ${l.maxActions} actions, ${l.maxPercent} %)`);
    }
    lines.push('');
  }
  if (s.skipped && Object.keys(s.skipped).length > 0) {
    lines.push('### Skipped (not acted on: date missing or unreadable)', '');
    for (const k of Object.keys(s.skipped).sort()) lines.push(`- \`${k}\`: ${s.skipped[k]} records`);
    lines.push('');
  }
  if (plan.requests.length > 0) {
    lines.push('### Data subject requests', '', '| request | state | actions | protected | flagged | due |', '|---|---|---:|---:|---:|---|');
    for (const r of plan.requests) lines.push(`| ${r.id} | ${r.state} | ${r.counts.actions} | ${r.counts.protected} | ${r.counts.flagged} | ${r.dueAt} |`);
    lines.push('');
  }
  if (plan.actions.length > 0) {
    lines.push('### Examples', '');
    for (const a of plan.actions.slice(0, EXAMPLES)) lines.push(`- **${a.op}** \`${a.target.system}/${a.target.type}/${a.target.id}\`: ${a.reason}`);
    lines.push('');
  }
  if (plan.protected.length > 0) {
    const kinds: Record<string, number> = {};
    for (const p of plan.protected) kinds[p.why.kind] = (kinds[p.why.kind] ?? 0) + 1;
    lines.push('### Protected', '', ...Object.keys(kinds).sort().map((k) => `- ${k}: ${kinds[k]}`), '');
  }
  return `${lines.join('\n')}\n`;
}
