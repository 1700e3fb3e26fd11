/** Building blocks of a connector's config block (each system's schema lives in connectors/<system>/facts.ts). */
import { Type, type Static } from '@sinclair/typebox';

export const SecretRef = Type.Union(
  [
    Type.Object({ env: Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Name of an environment variable holding the value.' }) }, { additionalProperties: false }),
    Type.Object({ file: Type.String({ minLength: 1, description: 'Path of a file holding the value (owner-only permissions).' }) }, { additionalProperties: false }),
  ],
  { description: 'A reference to a secret (environment variable or file). Secrets are never written in the config itself.' },
);
export type SecretRef = Static<typeof SecretRef>;

export const Http = Type.String({ pattern: '^https?://[^\\s]+$', description: 'Base URL (http only for loopback emulators).' });
