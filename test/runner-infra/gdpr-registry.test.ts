import { appendFile, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { GdprRegistryError, gdprRegistryPath, openGdprRegistry, subjectKey } from '../../runner/journal/index.ts';
import { H, PLAN, tempDir } from './helpers.ts';

describe('GDPR request registry', () => {
  it('never lets the same subject be submitted twice for one plan, across restarts', async () => {
    const dir = await tempDir();
    const reg = await openGdprRegistry(dir);
    await reg.reserve([H(1), H(2)], PLAN(1));
    await reg.recordSubmitted([H(2), H(1)], PLAN(1), 'gdpr-req-1');
    await expect(reg.reserve([H(1), H(2)], PLAN(1))).rejects.toThrow(/already submitted.*gdpr-req-1/);
    await reg.close();

    const again = await openGdprRegistry(dir);
    expect(again.get([H(1), H(2)], PLAN(1))).toMatchObject({ state: 'submitted', externalId: 'gdpr-req-1' });
    await expect(again.reserve([H(2), H(1)], PLAN(1))).rejects.toBeInstanceOf(GdprRegistryError);
    // Another plan is another key, but the history of the subject is visible.
    await again.reserve([H(1), H(2)], PLAN(2));
    expect(again.forSubject([H(1), H(2)]).map((e) => e.plan)).toEqual([PLAN(1), PLAN(2)]);
    await again.close();
  });

  it('reports reserved-but-unconfirmed requests as in flight after a crash', async () => {
    const dir = await tempDir();
    const reg = await openGdprRegistry(dir);
    await reg.reserve(H(3), PLAN(1));
    await reg.close();
    const after = await openGdprRegistry(dir);
    expect(after.inFlight()).toEqual([expect.objectContaining({ subject: H(3), plan: PLAN(1), state: 'reserved' })]);
    await expect(after.reserve(H(3), PLAN(1))).rejects.toThrow(/in flight/);
    await after.release(H(3), PLAN(1), 'confirmed absent in the system');
    await after.reserve(H(3), PLAN(1));
    await after.recordSubmitted(H(3), PLAN(1), 'gdpr-req-9');
    await expect(after.release(H(3), PLAN(1), 'x')).rejects.toThrow(/cannot release a submitted/);
    await after.close();
  });

  it('accepts keyed hashes only and tolerates a torn last line', async () => {
    const dir = await tempDir();
    expect(() => subjectKey(['email:ann@example.com'])).toThrow(/not a keyed hash/);
    expect(() => subjectKey([])).toThrow();
    const reg = await openGdprRegistry(dir);
    await expect(reg.reserve('ann@example.com', PLAN(1))).rejects.toThrow(GdprRegistryError);
    await expect(reg.reserve(H(1), 'not-a-plan')).rejects.toThrow(/plan hash/);
    await reg.reserve(H(1), PLAN(1));
    await reg.close();
    await appendFile(gdprRegistryPath(dir), '{"t":"submitted","sub');
    const again = await openGdprRegistry(dir);
    expect(again.torn).not.toBeNull();
    await again.recordSubmitted(H(1), PLAN(1), 'id-1');
    await again.close();
    expect(await readFile(gdprRegistryPath(dir), 'utf8')).not.toContain('"sub\n');
    const third = await openGdprRegistry(dir);
    expect(third.get(H(1), PLAN(1))?.externalId).toBe('id-1');
    await third.close();
  });
});
