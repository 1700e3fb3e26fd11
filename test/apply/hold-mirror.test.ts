/** Holds naming conversations are mirrored as Genesys deletion protection, and lifted when they end. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LegalHold } from '../../engine/schema/index.ts';
import { connectorsFromConfig } from '../../runner/connections.ts';
import { syncHoldMirrors } from '../../runner/hold-mirror.ts';
import { startSandbox, type Sandbox } from '../../runner/sandbox.ts';
import { readAuditEntries } from '../../runner/audit/index.ts';
import { emptyBundle } from '../../engine/bundle.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 3, records: 400, now: '2026-11-23T00:00:00.000Z' });
});
afterAll(async () => sandbox?.stop());

function hold(name: string, conversations: string[], expires?: string): LegalHold {
  return {
    apiVersion: 'lethe.dev/v1',
    kind: 'LegalHold',
    metadata: { name, version: '1.0.0', owner: 'legal@example.com', description: 'test hold' },
    spec: { reason: 'litigation', caseRef: `CASE-${name}`, ...(expires ? { expires } : {}), holds: { conversations } },
  };
}

describe('hold mirroring', () => {
  it('protects held conversations, never lifts protection it did not place, lifts its own when the hold ends, and respects the cap', async () => {
    const store = sandbox.genesys.store;
    const ids = [...store.conversations.keys()].filter((c) => !store.protectedConversations.has(c)).slice(0, 3);
    const foreign = [...store.protectedConversations][0];
    expect(ids.length).toBe(3);
    const genesys = connectorsFromConfig(sandbox.config, { ...process.env, ...sandbox.env }).find((c) => c.system === 'genesys')!;
    const stateDir = mkdtempSync(join(tmpdir(), 'lethe-mirror-'));
    const bundle = { ...emptyBundle(), holds: [hold('a', ids.slice(0, 2)), hold('b', [ids[2]!], '2027-01-31')] };
    const now = new Date('2026-11-23T00:00:00Z');

    const first = await syncHoldMirrors({ bundle, connector: genesys, stateDir, now });
    expect(first.protect).toEqual([...ids].sort());
    for (const id of ids) expect(store.protectedConversations.has(id)).toBe(true);

    // Hold b expires; a is removed from the bundle: only Lethe's own protection is lifted.
    const later = await syncHoldMirrors({ bundle: { ...emptyBundle(), holds: [hold('a', [ids[0]!])] }, connector: genesys, stateDir, now: new Date('2027-02-15T00:00:00Z') });
    expect(later.unprotect).toEqual([ids[1]!, ids[2]!].sort());
    expect(store.protectedConversations.has(ids[0]!)).toBe(true);
    expect(store.protectedConversations.has(ids[1]!)).toBe(false);
    if (foreign) expect(store.protectedConversations.has(foreign)).toBe(true);

    // The cap: one more protection than allowed is refused before anything is sent.
    const protectedNow = store.protectedConversations.size;
    const capped = await syncHoldMirrors({ bundle: { ...emptyBundle(), holds: [hold('a', [ids[0]!, ids[1]!, ids[2]!])] }, connector: genesys, stateDir, now, cap: protectedNow + 1 });
    expect(capped.warnings.join()).toMatch(/over the org cap/);
    expect(store.protectedConversations.size).toBe(protectedNow);
    const warn = await syncHoldMirrors({ bundle: { ...emptyBundle(), holds: [hold('a', [ids[0]!])] }, connector: genesys, stateDir, now, dryRun: true, cap: protectedNow });
    expect(warn.warnings.join()).toMatch(/of the org cap/);

    const audit = (await readAuditEntries(join(stateDir, 'audit.jsonl'))).entries;
    expect(audit.filter((e) => e.entry.type === 'hold.mirrored').length).toBe(3);
    expect(audit.filter((e) => e.entry.type === 'hold.released').length).toBe(2);
    await genesys.close();
  });
});
