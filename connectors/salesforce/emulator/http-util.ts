/** Small HTTP helpers for the emulator: bodies, JSON/XML/CSV replies and Salesforce error arrays. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseCsv as parseCsvText } from '../csv.ts';

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  method: string;
  /** Extra headers every reply of this request carries (Sforce-Limit-Info). */
  headers: Record<string, string>;
  /** Route name for statistics. */
  route: string;
  /** Fault drawn for a query page: serve an inconsistent page. */
  partialPage?: boolean;
  /** Fault: do the work, then reset the connection instead of replying. */
  dropResponse?: boolean;
}

export async function readBody(req: IncomingMessage, limit = 200 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function send(ctx: Ctx, status: number, body: string, contentType: string, extra: Record<string, string> = {}): void {
  if (ctx.res.headersSent || ctx.res.destroyed) return;
  if (ctx.dropResponse) {
    ctx.req.socket.destroy();
    return;
  }
  ctx.res.writeHead(status, { ...ctx.headers, ...(body ? { 'Content-Type': contentType } : {}), ...extra });
  ctx.res.end(body);
}

export function sendJson(ctx: Ctx, status: number, value: unknown): void {
  send(ctx, status, JSON.stringify(value), 'application/json;charset=UTF-8');
}

export function sendEmpty(ctx: Ctx, status = 204): void {
  send(ctx, status, '', '');
}

/** A REST error: `[{"message","errorCode","fields"?}]`. */
export function sendError(ctx: Ctx, status: number, errorCode: string, message: string, extra: Record<string, string> = {}, fields?: string[]): void {
  const item: Record<string, unknown> = { message, errorCode };
  if (fields) item.fields = fields;
  send(ctx, status, JSON.stringify([item]), 'application/json;charset=UTF-8', extra);
}

/** CSV field quoting (RFC 4180): always quoted, inner quotes doubled. */
export function csvField(v: string): string {
  return `"${v.replace(/"/g, '""')}"`;
}

/** Parses RFC 4180 CSV into rows of fields, blank lines skipped (connectors/salesforce/csv.ts). */
export function parseCsv(text: string, delimiter = ','): string[][] {
  return parseCsvText(text, { delimiter, skipBlankLines: true }).rows;
}

/** XML text escaping for SOAP replies. */
export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
