/**
 * Finds registered system names in the code of engine/ and runner/ (test/registry/system-names.test.ts).
 *
 * What counts: every token of a TypeScript file — identifiers (`GenesysHttp`, `salesforceId`),
 * string and template literals (`'genesys'`, import paths), regular expressions — that contains a
 * registered system's name, case-insensitively. What does not: comments (JSDoc included), and help
 * text: a string that is the `description`/`summary`/`help` of an object (schema, OpenAPI and metric
 * descriptions), the text of a commander `.description()`/`.summary()`/`.addHelpText()`/
 * `.usage()`, or the help (not the flags) of an `.option()`/`.requiredOption()`/`.argument()`.
 * Help text may name systems (it describes them to a person); code may not (it would have to
 * change when a system is added).
 */
import { readFileSync } from 'node:fs';
import ts from 'typescript';

export interface Mention {
  line: number;
  text: string;
}

const HELP_CALLS = new Set(['description', 'summary', 'addHelpText', 'usage']);
const HELP_AFTER_FLAGS = new Set(['option', 'requiredOption', 'argument']);
const HELP_PROPS = new Set(['description', 'summary', 'help']);

function isLiteral(n: ts.Node): boolean {
  return ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n);
}

/** Whether a literal is help text (see the module comment). */
function isHelpText(lit: ts.Node): boolean {
  let n: ts.Node = lit;
  // Through concatenations ('a' + 'b') and parentheses.
  while (n.parent && ((ts.isBinaryExpression(n.parent) && n.parent.operatorToken.kind === ts.SyntaxKind.PlusToken) || ts.isParenthesizedExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (!p) return false;
  if (ts.isPropertyAssignment(p) && p.initializer === n) {
    const name = p.name;
    return (ts.isIdentifier(name) || ts.isStringLiteral(name)) && HELP_PROPS.has(name.text);
  }
  if (ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression)) {
    const method = p.expression.name.text;
    if (HELP_CALLS.has(method)) return true;
    if (HELP_AFTER_FLAGS.has(method)) return p.arguments.indexOf(n as ts.Expression) >= 1;
  }
  return false;
}

/** The mentions of any of `names` in the code of one TypeScript file. */
export function codeMentions(file: string, names: readonly string[]): Mention[] {
  const text = readFileSync(file, 'utf8');
  const re = new RegExp(names.map((n) => n.replace(/[^a-z0-9]/gi, '')).join('|'), 'i');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Mention[] = [];
  const visit = (n: ts.Node, help: boolean): void => {
    if (n.kind >= ts.SyntaxKind.FirstJSDocNode && n.kind <= ts.SyntaxKind.LastJSDocNode) return;
    const inHelp = help || (isLiteral(n) && isHelpText(n));
    const kids = n.getChildren(sf);
    if (kids.length === 0) {
      const t = n.getText(sf);
      if (!inHelp && re.test(t)) out.push({ line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, text: t.slice(0, 80) });
      return;
    }
    for (const k of kids) visit(k, inHelp);
  };
  visit(sf, false);
  return out;
}
