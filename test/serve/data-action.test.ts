/**
 * The example Genesys data action (runner/serve/genesys-data-action.json) against a running
 * service: its request template, filled as Genesys fills it, is a valid check request, and every
 * translationMap path finds a value of the type its output contract declares.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServe } from '../../runner/serve/server.ts';
import { consent, NOW, post, startTest, TOKEN, writeSnapshot } from './helpers.ts';

interface Action {
  config: { request: { requestTemplate: string; headers: Record<string, string> }; response: { translationMap: Record<string, string> } };
  contract: { output: { successSchema: { properties: Record<string, { type: string }> } } };
}

let serve: RunningServe;
beforeAll(async () => {
  serve = await startTest({ snapshot: await writeSnapshot([consent('a01000000000001AAA', ['email:ann@example.com'], 'marketing', 'granted', '2025-01-01T00:00:00.000Z')], [], NOW) });
});
afterAll(async () => serve?.close());

describe('example Genesys data action', () => {
  it('its filled request is answered and its translation map finds every output', async () => {
    const action = JSON.parse(await readFile(resolve(import.meta.dirname, '../../runner/serve/genesys-data-action.json'), 'utf8')) as Action;
    const input: Record<string, string> = { email: 'Ann@Example.com', destination: 'crm-sync' };
    // Velocity as Genesys applies it here: $esc.jsonString(${input.x}) -> the JSON-escaped value.
    const body = action.config.request.requestTemplate.replace(/\$esc\.jsonString\(\$\{input\.(\w+)\}\)/g, (_m, k: string) => JSON.stringify(input[k]).slice(1, -1));
    expect(action.config.request.headers.Authorization).toBe('Bearer ${credentials.token}');
    const r = await post(`${serve.url}/v1/consent/check`, body, TOKEN);
    expect(r.status).toBe(200);
    const out = action.contract.output.successSchema.properties;
    for (const [key, path] of Object.entries(action.config.response.translationMap)) {
      const value = (r.json as Record<string, unknown>)[path.replace(/^\$\./, '')];
      expect(typeof value).toBe(out[key]!.type);
    }
    expect(r.json).toMatchObject({ allowed: true, status: 'OPTED_IN' });
  });
});
