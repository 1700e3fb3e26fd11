/**
 * Certificates of erasure: canonical JSON with a SHA-256 digest and an Ed25519 signature (Node's
 * own crypto), verifiable offline with the public key alone. The body holds subjects only as keyed
 * hashes and records only by system/type/id.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../../engine/canonical.ts';
import type { RecordRef } from '../../engine/records.ts';

export const CERTIFICATE_KIND = 'ErasureCertificate';

export interface CertificateItem {
  target: RecordRef;
  op: string;
  at?: string;
}

export interface KeptItem {
  target: RecordRef;
  why: string;
  caseRef?: string;
  expires?: string;
  basis?: string;
}

export interface CertificateBody {
  request: string;
  /** Subject identifiers as keyed hashes (`hmac:…`), never plain. */
  subject: string[];
  receivedAt: string;
  dueAt: string;
  systems: string[];
  counts: Record<string, { erased: number; kept: number; failed: number }>;
  erased: CertificateItem[];
  kept: KeptItem[];
  nativeJobs: Array<{ system: string; id: string; type: string; state: string }>;
  errors: Array<{ target?: RecordRef; message: string }>;
  outcome: 'COMPLETE' | 'PARTIAL_HOLD' | 'INCOMPLETE';
  /** What the certificate states, in words matching `outcome`. */
  statement?: string;
  /** The re-scan after execution: per system what was removed, each record that remains and why. */
  verification?: {
    at: string;
    systems: Record<string, { removed: number; remaining: number }>;
    remaining: Array<KeptItem & { fields?: string[] }>;
  };
  plan: string;
  startedAt: string;
  completedAt: string;
  issuer: string;
}

export interface Certificate {
  apiVersion: 'lethe.dev/v1';
  kind: typeof CERTIFICATE_KIND;
  body: CertificateBody;
  digest: string;
  signature: { alg: 'Ed25519'; keyId: string; value: string };
}

/** Fingerprint of a public key: sha256 over its DER (SPKI) form. */
export function keyId(publicKey: KeyObject): string {
  return `sha256:${sha256Hex(publicKey.export({ type: 'spki', format: 'der' }))}`;
}

export function generateSigningKeys(): { privatePem: string; publicPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: keyId(publicKey),
  };
}

export function issueCertificate(body: CertificateBody, privatePem: string): Certificate {
  for (const s of body.subject) if (!/^hmac:[0-9a-f]{16,64}$/.test(s)) throw new Error('certificate subject must be keyed hashes only');
  const priv = createPrivateKey(privatePem);
  if (priv.asymmetricKeyType !== 'ed25519') throw new Error('the signing key must be an Ed25519 private key');
  const pub = createPublicKey(priv);
  const data = Buffer.from(canonicalJson(body), 'utf8');
  return {
    apiVersion: 'lethe.dev/v1',
    kind: CERTIFICATE_KIND,
    body,
    digest: `sha256:${sha256Hex(data)}`,
    signature: { alg: 'Ed25519', keyId: keyId(pub), value: sign(null, data, priv).toString('base64') },
  };
}

export interface VerifyResult {
  ok: boolean;
  problems: string[];
}

/** Verifies a certificate's text offline: structure, digest, key id and signature. */
export function verifyCertificate(text: string, publicPem: string): VerifyResult {
  const problems: string[] = [];
  let cert: Certificate;
  try {
    cert = JSON.parse(text) as Certificate;
  } catch {
    return { ok: false, problems: ['not valid JSON'] };
  }
  if (cert?.kind !== CERTIFICATE_KIND || !cert.body || typeof cert.digest !== 'string' || !cert.signature) {
    return { ok: false, problems: ['not an erasure certificate (kind, body, digest and signature are required)'] };
  }
  let pub: KeyObject;
  try {
    pub = createPublicKey(publicPem);
  } catch {
    return { ok: false, problems: ['the public key is not a valid PEM key'] };
  }
  const data = Buffer.from(canonicalJson(cert.body), 'utf8');
  if (`sha256:${sha256Hex(data)}` !== cert.digest) problems.push('digest does not match the body: the certificate was changed after it was issued');
  if (cert.signature.keyId !== keyId(pub)) problems.push(`signed with key ${cert.signature.keyId}, not with the key given (${keyId(pub)})`);
  let sigOk = false;
  const sig = Buffer.from(String(cert.signature.value), 'base64');
  // Base64 has several spellings of the same bytes; only the canonical one is accepted.
  if (sig.toString('base64') !== cert.signature.value || cert.signature.alg !== 'Ed25519') problems.push('signature is not canonical Ed25519 base64');
  try {
    sigOk = verify(null, data, pub, sig);
  } catch {
    sigOk = false;
  }
  if (!sigOk) problems.push('signature does not verify');
  if (cert.apiVersion !== 'lethe.dev/v1') problems.push(`unknown apiVersion ${JSON.stringify(cert.apiVersion)}`);
  const extra = Object.keys(cert).filter((k) => !['apiVersion', 'kind', 'body', 'digest', 'signature'].includes(k));
  if (extra.length) problems.push(`unexpected fields outside the signed body: ${extra.join(', ')}`);
  if (text.replace(/\n$/, '') !== canonicalJson(cert)) problems.push('not in canonical form (the file was edited)');
  return { ok: problems.length === 0, problems };
}
