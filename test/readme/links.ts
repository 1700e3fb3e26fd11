/**
 * Links of a Markdown document, as GitHub renders them: inline links and images, reference
 * definitions, autolinks, bare URLs and HTML href/src, outside code blocks and code spans.
 */

export interface Link {
  line: number;
  target: string;
}

/** The Markdown text with fenced blocks and code spans blanked (line numbers kept). */
function withoutCode(markdown: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && line.trim() === f[1]) fence = undefined;
      out.push('');
    } else if (f) {
      fence = f[1]!;
      out.push('');
    } else out.push(line.replace(/(`+)(?:(?!\1).)+?\1/g, ''));
  }
  return out;
}

export function readLinks(markdown: string): Link[] {
  const links: Link[] = [];
  withoutCode(markdown).forEach((text, i) => {
    const add = (target: string): void => void links.push({ line: i + 1, target: target.trim() });
    for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) add(m[1]!);
    const def = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(text);
    if (def) {
      add(def[1]!);
      return;
    }
    for (const m of text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/gi)) add(m[1]!);
    // Autolinks and bare URLs not already inside a link target.
    const rest = text.replace(/\]\([^)]*\)/g, '').replace(/\b(?:href|src)\s*=\s*["'][^"']*["']/gi, '');
    for (const m of rest.matchAll(/<?(https?:\/\/[^\s<>)"'`]+?)[.,;:]?(?=[\s<>)"'`]|$)/g)) add(m[1]!);
  });
  return links;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, numbered when repeated. */
export function headingAnchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (!fence) fence = f[1];
      else if (f[1]![0] === fence[0] && line.trim() === f[1]) fence = undefined;
      continue;
    }
    if (fence) continue;
    const h = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const slug = h[1]!
      .replace(/`/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}
