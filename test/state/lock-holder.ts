/** A child runner for the postgres lock test: takes a lock, says so, then waits to be killed. */
import { postgresState } from '../../runner/state/postgres/store.ts';

const [url, name] = process.argv.slice(2);
const state = await postgresState({ url: url! });
await state.lock(name!, { purpose: 'child runner' });
process.stdout.write('held\n');
setInterval(() => undefined, 1 << 30);
