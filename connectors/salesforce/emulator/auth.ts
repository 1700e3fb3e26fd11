/** OAuth 2.0 token endpoint (client credentials and username-password) and session checks. */
import { createHmac, randomBytes } from 'node:crypto';
import { sendJson, type Ctx } from './http-util.ts';

export interface AuthOptions {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  tokenTtlSeconds: number;
  orgId: string;
  userId: string;
}

export type SessionState = 'valid' | 'expired' | 'invalid';

export class TokenStore {
  private readonly tokens = new Map<string, number>();
  private readonly options: AuthOptions;
  /** Tokens issued so far (for tests). */
  issued = 0;

  constructor(options: AuthOptions) {
    this.options = options;
  }

  /** Makes every issued token invalid (a test's "session expired" switch). */
  expireAll(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  check(token: string | undefined): SessionState {
    if (!token) return 'invalid';
    const exp = this.tokens.get(token);
    if (exp === undefined) return 'invalid';
    return Date.now() < exp ? 'valid' : 'expired';
  }

  /** Handles `POST /services/oauth2/token` (form-encoded body already read). */
  handle(ctx: Ctx, body: string, baseUrl: string): void {
    const form = new URLSearchParams(body);
    const o = this.options;
    const grant = form.get('grant_type');
    const error = (code: string, description: string): void => sendJson(ctx, 400, { error: code, error_description: description });
    if (grant !== 'client_credentials' && grant !== 'password') return error('unsupported_grant_type', 'grant type not supported');
    if (form.get('client_id') !== o.clientId) return error('invalid_client_id', 'client identifier invalid');
    if (form.get('client_secret') !== o.clientSecret) return error('invalid_client', 'invalid client credentials');
    if (grant === 'password' && (form.get('username') !== o.username || form.get('password') !== o.password)) {
      return error('invalid_grant', 'authentication failure');
    }
    const token = `${o.orgId.slice(0, 15)}!${randomBytes(30).toString('base64url')}`;
    this.tokens.set(token, Date.now() + o.tokenTtlSeconds * 1000);
    this.issued++;
    const id = `${baseUrl}/id/${o.orgId}/${o.userId}`;
    const issuedAt = String(Date.now());
    const signature = createHmac('sha256', o.clientSecret).update(id + issuedAt).digest('base64');
    sendJson(ctx, 200, {
      access_token: token,
      instance_url: baseUrl,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature,
      scope: 'api',
    });
  }
}
