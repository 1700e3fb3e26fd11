/** `lethe certificate verify` and `lethe keys generate`: offline checks of erasure certificates. */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { generateSigningKeys, verifyCertificate } from '../../certificate/certificate.ts';
import { UserError } from '../errors.ts';

async function readOrFail(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new UserError(`cannot read ${what} ${path}`);
  }
}

export function register(program: Command): void {
  const cert = program.command('certificate').description('Erasure certificates: signed, canonical JSON a regulator can verify offline.');
  cert
    .command('verify')
    .description('Verify a certificate\'s digest and Ed25519 signature with the public key. Exit 0 when valid, 1 otherwise.')
    .argument('<file>', 'certificate JSON file')
    .requiredOption('--public-key <pem>', 'the issuer\'s Ed25519 public key (PEM)')
    .action(async (file: string, opts: { publicKey: string }) => {
      const r = verifyCertificate(await readOrFail(file, 'certificate'), await readOrFail(opts.publicKey, 'public key'));
      if (r.ok) process.stdout.write(`${file}: valid\n`);
      else for (const p of r.problems) process.stdout.write(`${file}: ${p}\n`);
      process.exitCode = r.ok ? 0 : 1;
    });
  program
    .command('keys')
    .description('Key management for certificate signing.')
    .command('generate')
    .description('Generate an Ed25519 signing key pair: signing.key (private, mode 600) and signing.pub. Rotate by generating a new pair and keeping old public keys to verify old certificates.')
    .requiredOption('--out <dir>', 'directory for the key files (outside the repository)')
    .action(async (opts: { out: string }) => {
      const k = generateSigningKeys();
      await mkdir(opts.out, { recursive: true, mode: 0o700 });
      await writeFile(join(opts.out, 'signing.key'), k.privatePem, { mode: 0o600, flag: 'wx' }).catch((e: NodeJS.ErrnoException) => {
        throw new UserError(e.code === 'EEXIST' ? `${join(opts.out, 'signing.key')} exists: refusing to overwrite a signing key` : `cannot write the key: ${e.code}`);
      });
      await writeFile(join(opts.out, 'signing.pub'), k.publicPem, { mode: 0o644 });
      process.stdout.write(`wrote ${join(opts.out, 'signing.key')} (private) and signing.pub; key id ${k.keyId}\n`);
    });
}
