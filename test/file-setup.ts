/**
 * Runs before every test file (vitest `setupFiles`). The workers run many test files one after
 * another in one process (`isolate: false` in vitest.config.ts: the sources and libraries are
 * imported once per worker, not once per file), so what a file leaves in the process must not
 * reach the next one: every file starts from the environment variables the worker started with,
 * as it would in a process of its own. (Test files put back what they change; this makes a
 * forgotten one harmless.)
 */
const g = globalThis as { __letheWorkerEnv?: Readonly<Record<string, string | undefined>> };
g.__letheWorkerEnv ??= { ...process.env };
const original = g.__letheWorkerEnv;
for (const name of Object.keys(process.env)) if (!(name in original)) delete process.env[name];
for (const [name, value] of Object.entries(original)) if (process.env[name] !== value && value !== undefined) process.env[name] = value;
