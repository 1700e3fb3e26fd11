import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, chmod, mkdir, writeFile } from 'node:fs/promises';
import { readLineBatches, readLineBatchesSync } from '../../engine/snapshot/lines.ts';
import { join } from 'node:path';
import {
  SnapshotError,
  listSnapshotFiles,
  readSnapshot,
  readSnapshotFile,
} from '../../engine/snapshot/reader.ts';
import { collect, rec, tempDir, writeLines } from './helpers.ts';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const SECRET = 'ann.secret@example.com';

async function readError(rel: string, lines: string[]): Promise<SnapshotError> {
  const path = await writeLines(dir, rel, lines);
  const [system, type] = rel.replace('.ndjson', '').split('/') as [string, string];
  try {
    await collect(readSnapshotFile({ system, type, path }));
  } catch (err) {
    expect(err).toBeInstanceOf(SnapshotError);
    return err as SnapshotError;
  }
  throw new Error('expected an error');
}

describe('listSnapshotFiles', () => {
  it('lists <system>/<type>.ndjson sorted, skipping meta.json and hidden files', async () => {
    await writeLines(dir, 'salesforce/task.ndjson', []);
    await writeLines(dir, 'genesys/recording.ndjson', []);
    await writeLines(dir, 'genesys/conversation.ndjson', []);
    await writeLines(dir, 'genesys/.DS_Store', []);
    await writeFile(join(dir, 'meta.json'), '{}');
    const files = await listSnapshotFiles(dir);
    expect(files.map((f) => `${f.system}/${f.type}`)).toEqual([
      'genesys/conversation',
      'genesys/recording',
      'salesforce/task',
    ]);
    expect(files[0]!.path).toBe(join(dir, 'genesys', 'conversation.ndjson'));
  });

  it('rejects unknown systems and types, naming the file', async () => {
    await writeLines(dir, 'genesys/widget.ndjson', []);
    await expect(listSnapshotFiles(dir)).rejects.toThrow(/genesys\/widget\.ndjson: unknown record type/);
    const other = await tempDir();
    await writeLines(other.dir, 'zendesk/ticket.ndjson', []);
    await expect(listSnapshotFiles(other.dir)).rejects.toThrow(/zendesk: unknown system/);
    await other.cleanup();
  });

  it('rejects a type that belongs to the other system', async () => {
    await writeLines(dir, 'genesys/lead.ndjson', []);
    await expect(listSnapshotFiles(dir)).rejects.toThrow(/lead\.ndjson: unknown record type for system genesys/);
  });

  it('errors clearly on a missing or unreadable directory', async () => {
    await expect(listSnapshotFiles(join(dir, 'nope'))).rejects.toThrow(/nope: cannot read snapshot directory: no such directory/);
    if (process.getuid?.() !== 0) {
      await mkdir(join(dir, 'locked'));
      await chmod(join(dir, 'locked'), 0o000);
      await expect(listSnapshotFiles(join(dir, 'locked'))).rejects.toThrow(SnapshotError);
      await chmod(join(dir, 'locked'), 0o700);
    }
  });
});

describe('readSnapshotFile', () => {
  it('reads records, keeps unknown keys, skips blank and CRLF lines', async () => {
    const a = { ...rec('genesys', 'conversation', 'c1'), extra: { kept: true } };
    const b = rec('genesys', 'conversation', 'c2');
    const path = await writeLines(dir, 'genesys/conversation.ndjson', [
      JSON.stringify(a),
      '',
      '   ',
      JSON.stringify(b) + '\r',
    ]);
    const out = await collect(readSnapshotFile({ system: 'genesys', type: 'conversation', path }));
    expect(out).toEqual([a, b]);
  });

  it('malformed JSON: names file and line, never the content', async () => {
    const err = await readError('genesys/recording.ndjson', [
      JSON.stringify(rec('genesys', 'recording', 'r1')),
      '',
      `{"system":"genesys","type":"recording","id":"r2","identifiers":["email:${SECRET}"`,
    ]);
    expect(err.message).toMatch(/genesys\/recording\.ndjson:3: invalid JSON/);
    expect(err.line).toBe(3);
    expect(err.message).not.toContain('ann');
    expect(err.message).not.toContain('secret');
  });

  it('wrong system or type for the file', async () => {
    const e1 = await readError('genesys/recording.ndjson', [JSON.stringify(rec('salesforce', 'recording', 'x'))]);
    expect(e1.message).toMatch(/:1: "system" is "salesforce" but the file holds "genesys" records/);
    const e2 = await readError('genesys/recording.ndjson', [
      JSON.stringify(rec('genesys', 'recording', 'x')),
      JSON.stringify(rec('genesys', 'conversation', 'y')),
    ]);
    expect(e2.message).toMatch(/:2: "type" is "conversation" but the file holds "recording" records/);
  });

  it('missing keys and wrong JSON types, without echoing values', async () => {
    const base = rec('genesys', 'recording', 'r1');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, id: undefined }, /missing key "id"/],
      [{ ...base, createdAt: 5 }, /"createdAt" must be a string, found number/],
      [{ ...base, createdAt: SECRET }, /"createdAt" is not an ISO 8601 date/],
      [{ ...base, identifiers: SECRET }, /"identifiers" must be an array of strings, found string/],
      [{ ...base, identifiers: ['email:a@b.co', 7] }, /"identifiers\[1\]" must be a string/],
      [{ ...base, links: [{ system: 'genesys', type: 'conversation' }] }, /"links\[0\]" must be an object/],
      [{ ...base, fields: [SECRET] }, /"fields" must be an object, found array/],
      [{ ...base, system: SECRET }, /"system" is \(a value not shown\)/],
    ];
    for (const [value, pattern] of cases) {
      const err = await readError('genesys/recording.ndjson', [JSON.stringify(value)]);
      expect(err.message).toMatch(pattern);
      expect(err.message).not.toContain(SECRET);
    }
    const arr = await readError('genesys/recording.ndjson', ['[1,2]']);
    expect(arr.message).toMatch(/:1: expected a JSON object, found array/);
  });

  it('streams a large file in bounded batches with correct line numbers', async () => {
    const lines: string[] = [];
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      // multi-byte characters so chunk cuts land inside long UTF-8 runs
      lines.push(JSON.stringify(rec('salesforce', 'task', `t${i}`, { fields: { subject: 'Überprüfung – 電話 ' + i } })));
    }
    const path = await writeLines(dir, 'salesforce/task.ndjson', lines);
    const file = { system: 'salesforce', type: 'task', path };
    let count = 0;
    for await (const r of readSnapshotFile(file)) {
      if (r.id !== `t${count}`) throw new Error(`out of order at ${count}`);
      if ((r.fields.subject as string) !== 'Überprüfung – 電話 ' + count) throw new Error(`bad decode at ${count}`);
      count++;
    }
    expect(count).toBe(n);
    await appendFile(path, 'not json\n');
    await expect(collect(readSnapshotFile(file))).rejects.toThrow(new RegExp(`task\\.ndjson:${n + 1}: invalid JSON`));
  });

  it('handles lines longer than the read chunk and multi-byte characters across chunk cuts', async () => {
    const lines = ['{"a":"' + 'é'.repeat(5000) + '"}', '', '{"b":"電話"}', 'x'.repeat(70)];
    const path = await writeLines(dir, 'x.ndjson', lines);
    const got: string[] = [];
    let first = 0;
    for await (const b of readLineBatches(path, 64)) {
      if (got.length === 0) first = b.firstLine;
      expect(b.firstLine).toBe(got.length + 1);
      got.push(...b.lines);
    }
    expect(first).toBe(1);
    expect(got).toEqual(lines);
  });

  it('reads byte ranges synchronously: ranges cut on line starts give every line once, the BOM only at 0', async () => {
    const lines = ['\ufeff{"a":1}', '{"a":"' + 'é'.repeat(300) + '"}', '', '{"b":"電話"}', 'x'.repeat(70)];
    const path = await writeLines(dir, 'r.ndjson', lines);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const starts = [0];
    for (let i = 0; i < bytes.length - 1; i++) if (bytes[i] === 10 && i % 2 === 0) starts.push(i + 1);
    const ends = [...starts.slice(1), bytes.length];
    const got: string[] = [];
    starts.forEach((start, k) => {
      for (const b of readLineBatchesSync(path, start, ends[k]!, 64)) got.push(...b.lines);
    });
    expect(got).toEqual(['{"a":1}', ...lines.slice(1)]);
  });
});

describe('readSnapshot', () => {
  it('reads every file in order and filters by type', async () => {
    await writeLines(dir, 'genesys/conversation.ndjson', [JSON.stringify(rec('genesys', 'conversation', 'c1'))]);
    await writeLines(dir, 'salesforce/contact.ndjson', [JSON.stringify(rec('salesforce', 'contact', 's1'))]);
    const all = await collect(readSnapshot(dir));
    expect(all.map((r) => r.id)).toEqual(['c1', 's1']);
    const contacts = await collect(readSnapshot(dir, { types: ['contact'] }));
    expect(contacts.map((r) => r.id)).toEqual(['s1']);
  });

  it('fails closed when meta.json counts disagree with a file or a counted file is missing', async () => {
    await writeLines(dir, 'genesys/conversation.ndjson', [JSON.stringify(rec('genesys', 'conversation', 'c1'))]);
    const meta = { createdAt: '2025-01-01T00:00:00Z', source: 't', counts: { genesys: { conversation: 2 } } };
    await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
    await expect(collect(readSnapshot(dir))).rejects.toThrow(/conversation\.ndjson: has 1 records but meta\.json says 2/);
    meta.counts.genesys = { conversation: 1, recording: 3 } as never;
    await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
    await expect(collect(readSnapshot(dir))).rejects.toThrow(/recording\.ndjson: missing, but meta\.json counts 3/);
  });
});
