/** Plain-fetch client for emulator-level tests. */
import type { GenesysEmulator } from '../../../connectors/genesys/emulator/index.ts';

export interface RawResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON under test
}

export async function token(emu: GenesysEmulator): Promise<string> {
  const res = await fetch(`${emu.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('lethe-client:lethe-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

export function rawClient(emu: GenesysEmulator, tok: string) {
  return async (method: string, path: string, body?: unknown): Promise<RawResponse> => {
    const res = await fetch(`${emu.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  };
}
