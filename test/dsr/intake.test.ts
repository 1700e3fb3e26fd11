import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeFromSystems, intakeSystems } from '../../runner/dsr/system-intake.ts';
import { ann, person, startWorld, type World } from './world.ts';

describe('intake from Salesforce Individual.ShouldForget', () => {
  let w: World;
  beforeAll(async () => {
    const now = Date.now();
    w = await startWorld([{ ...ann(now), shouldForget: true }, person('dan', { emails: ['dan@x.test'] }, now)], []);
  });
  afterAll(() => w.stop());

  it('opens one erasure request per flagged Individual, with its contact identifiers, and never twice', async () => {
    const systems = intakeSystems(w.sandbox.config, w.env);
    const first = await intakeFromSystems(w.ctx, systems);
    expect(first.opened).toHaveLength(1);
    const r = first.opened[0]!;
    expect(r.document.spec.type).toBe('erasure');
    expect(r.document.spec.source).toMatch(/^salesforce-individual:0PK/);
    expect(r.document.spec.identifiers).toContain('email:ann.example@mail.test');
    expect(r.document.spec.identifiers.some((i) => i.startsWith('sf:0PK'))).toBe(true);
    expect(r.document.spec.verification).toBeUndefined();
    const second = await intakeFromSystems(w.ctx, systems);
    expect(second).toEqual({ opened: [], skipped: 1 });
  });
});
