/**
 * HTML building blocks with escaping by construction: every piece of text goes through `esc`,
 * which is safe both in element content and in quoted attribute values. Markup is only ever
 * produced by these functions from constant tag names.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text (or an attribute value) as HTML: also drops characters HTML forbids (NUL, lone surrogates). */
export function esc(value: string | number): string {
  return String(value)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

/** A trusted HTML fragment (already escaped). */
export interface Html {
  readonly html: string;
}

export function raw(html: string): Html {
  return { html };
}

type Child = string | number | Html | null | undefined | false | readonly Child[];

function render(c: Child): string {
  if (c === null || c === undefined || c === false) return '';
  if (typeof c === 'string' || typeof c === 'number') return esc(c);
  if (Array.isArray(c)) return (c as readonly Child[]).map(render).join('');
  return (c as Html).html;
}

const NAME = /^[a-z][a-z0-9-]*$/;
const ATTR = /^[a-zA-Z][a-zA-Z0-9-]*$/;

/** An element: `el('td', {class: 'n'}, 42)`. Attribute values are escaped; names must be plain. */
export function el(tag: string, attrs: Record<string, string | number | boolean | undefined> | null, ...children: Child[]): Html {
  if (!NAME.test(tag)) throw new Error(`bad tag name ${tag}`);
  let a = '';
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (!ATTR.test(k)) throw new Error(`bad attribute name ${k}`);
    if (v === undefined || v === false) continue;
    a += v === true ? ` ${k}` : ` ${k}="${esc(v)}"`;
  }
  return raw(`<${tag}${a}>${render(children)}</${tag}>`);
}

export function fragment(...children: Child[]): Html {
  return raw(render(children));
}

/** Thousands separators independent of the locale. */
export function num(n: number): string {
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}
