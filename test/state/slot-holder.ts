/** A child runner for the postgres budget test: takes the org's job slots, says so, then waits to be killed. */
import { postgresState } from '../../runner/state/postgres/store.ts';

const [url, key, count] = process.argv.slice(2);
const state = await postgresState({ url: url! });
const slots = state.rateBudget!().slots(key!, 2);
for (let i = 0; i < Number(count ?? 2); i++) await slots.acquire();
process.stdout.write('held\n');
setInterval(() => undefined, 1 << 30);
