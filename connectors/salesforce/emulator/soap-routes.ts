/** Partner SOAP endpoint `POST /services/Soap/u/{ver}`: only `emptyRecycleBin`, as jsforce sends it. */
import { send, xmlEscape, type Ctx } from './http-util.ts';
import type { SalesforceStore } from './store.ts';
import type { SessionState } from './auth.ts';

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

function decode(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** Text of every `<tag>…</tag>` element (no nesting; enough for ids and the session header). */
function elements(xml: string, tag: string): string[] {
  const out: string[] = [];
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  let at = xml.indexOf(open);
  while (at >= 0) {
    const end = xml.indexOf(close, at);
    if (end < 0) break;
    out.push(decode(xml.slice(at + open.length, end)));
    at = xml.indexOf(open, end);
  }
  return out;
}

export function soapFault(ctx: Ctx, code: string, message: string): void {
  send(ctx, 500, `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>${code}</faultcode><faultstring>${xmlEscape(message)}</faultstring></soapenv:Fault>${ENVELOPE_CLOSE}`, 'text/xml;charset=UTF-8');
}

/** Session id of a SOAP request (from `<SessionHeader><sessionId>`). */
export function soapSession(body: string): string | undefined {
  return elements(body, 'sessionId')[0];
}

export function handleSoap(ctx: Ctx, body: string, store: SalesforceStore, session: SessionState): void {
  if (session !== 'valid') return soapFault(ctx, 'sf:INVALID_SESSION_ID', 'INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session');
  if (!body.includes('<emptyRecycleBin>') && !body.includes('<emptyRecycleBin ')) return soapFault(ctx, 'soapenv:Client', 'No operation available for request');
  const ids = elements(body, 'ids').map((s) => s.trim());
  if (ids.length > 200) return soapFault(ctx, 'sf:EXCEEDED_ID_LIMIT', 'EXCEEDED_ID_LIMIT: record limit reached. cannot submit more than 200 records into this call');
  const results = ids.map((id) => {
    const r = store.emptyRecycleBin(id);
    if (r.ok) return `<result><id>${xmlEscape(id)}</id><success>true</success></result>`;
    return `<result><errors><message>${xmlEscape(r.message)}</message><statusCode>${r.statusCode}</statusCode></errors><id>${xmlEscape(id)}</id><success>false</success></result>`;
  });
  send(ctx, 200, `${ENVELOPE_OPEN}<emptyRecycleBinResponse>${results.join('')}</emptyRecycleBinResponse>${ENVELOPE_CLOSE}`, 'text/xml;charset=UTF-8');
}
