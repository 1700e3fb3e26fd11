/**
 * Masking throughput: `maskStream` over NDJSON contacts (parse, mask with a typical analytics
 * policy — HMAC e-mail and identifiers, redact, keep-last phone, generalize-date — serialise)
 * versus merely parsing and re-serialising the same lines, in one run. The ratio says what
 * masking costs on top of reading and writing (1.0 = free). Medians of interleaved repetitions.
 */
import { Readable, Writable } from 'node:stream';
import { createMaskContext, maskStream } from '../../engine/masking/index.ts';
import type { LetheRecord } from '../../engine/records.ts';
import type { MaskingPolicy } from '../../engine/schema/index.ts';
import type { Bench } from './types.ts';

const POLICY: MaskingPolicy = {
  apiVersion: 'lethe.dev/v1',
  kind: 'MaskingPolicy',
  metadata: { name: 'bench', version: '1.0.0', owner: 'bench', description: 'bench' },
  spec: {
    destination: 'analytics-export',
    appliesTo: [{ system: 'salesforce', type: 'contact' }],
    fields: {
      'fields.firstName': 'redact',
      'fields.lastName': 'redact',
      'fields.email': { strategy: 'hmac-sha256', format: 'email' },
      'fields.phone': { strategy: 'keep-last', n: 4, format: 'phone' },
      'fields.title': 'keep',
      createdAt: { strategy: 'generalize-date', to: 'month' },
    },
    identifiers: 'hmac-sha256',
  },
};

function lines(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const email = `person${i}@example${i % 97}.com`;
    const phone = `+1555${String(1000000 + i).slice(-7)}`;
    const r: LetheRecord = {
      system: 'salesforce',
      type: 'contact',
      id: `003${String(i).padStart(15, '0')}`,
      createdAt: new Date(Date.UTC(2015, 0, 1) + i * 3_600_000).toISOString(),
      identifiers: [`email:${email}`, `phone:${phone}`, `sf:003${String(i).padStart(15, '0')}`],
      links: [{ system: 'salesforce', type: 'account', id: `001${i % 500}` }],
      fields: { firstName: `First${i}`, lastName: `Last${i}`, email, phone, title: 'Buyer', leadSource: 'Web', description: 'x'.repeat(80) },
    };
    out.push(`${JSON.stringify(r)}\n`);
  }
  return out;
}

function nullSink(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const bench: Bench = async ({ quick }) => {
  const n = quick ? 20_000 : 200_000;
  const runs = quick ? 3 : 5;
  const input = lines(n);
  const ctx = createMaskContext(new Map([['default', Buffer.alloc(32, 1)]]));
  const mask = () => maskStream(Readable.from(input), nullSink(), [POLICY], ctx);
  // The baseline reads the same lines the same way (readline via maskStream with a keep-everything policy).
  const passThrough: MaskingPolicy = { ...POLICY, spec: { ...POLICY.spec, fields: {}, identifiers: 'keep', otherFields: 'keep' } };
  const copy = () => maskStream(Readable.from(input), nullSink(), [passThrough], ctx);
  await mask();
  await copy();
  const masked: number[] = [];
  const copied: number[] = [];
  for (let i = 0; i < runs; i++) {
    masked.push(await timeMs(mask));
    copied.push(await timeMs(copy));
  }
  const maskRate = n / (median(masked) / 1000);
  const copyRate = n / (median(copied) / 1000);
  return [
    {
      name: 'lethe mask: records masked per second (analytics policy)',
      value: Math.round(maskRate),
      unit: 'records/s',
      baseline: { name: 'parse + re-serialise the same NDJSON (keep-everything policy)', value: Math.round(copyRate) },
      ratio: Number((maskRate / copyRate).toFixed(3)),
      note: `${n} records, median of ${runs}; ratio = masking speed / copy speed (higher is better, 1.0 = masking is free)`,
    },
  ];
};
