import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileState } from '../../runner/state/index.ts';
import { stateContract } from './contract.ts';

stateContract('files', {
  async make() {
    const dir = await mkdtemp(join(tmpdir(), 'lethe-state-'));
    return { store: fileState(dir), reopen: async () => fileState(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
  },
});
