/** The runner's state store (files or PostgreSQL) behind one interface. */
export type { StateStore, StateLock, LockHolder, LockRequest } from './types.ts';
export { fileState } from './files.ts';
export { openState, stateDirOf, type OpenStateOptions } from './open.ts';
