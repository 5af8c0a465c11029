/**
 * Where things sit in a JSON text, so errors can name a line: the first
 * syntax error (V8's JSON.parse messages often give no position: "Unexpected
 * token 'o', … is not valid JSON"), and the line of a field named by a
 * validation path (`namespaces[2].routes[14].dst`). Built on jsonc-parser
 * with comments and trailing commas refused, i.e. strict JSON.
 */
import { findNodeAtLocation, parse, parseTree, type ParseError, type ParseOptions } from 'jsonc-parser';

const STRICT: ParseOptions = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/** 1-based line and column of a character offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastNewline = -1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastNewline = i;
    }
  }
  return { line, column: end - lastNewline };
}

/** The first syntax error of `text` (1-based line and column, 0-based offset), or undefined when it is valid JSON. */
export function jsonSyntaxError(text: string): { line: number; column: number; offset: number } | undefined {
  // JSON.parse callers strip a byte-order mark; offsets stay those of `text`.
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const errors: ParseError[] = [];
  parse(bom ? text.slice(1) : text, errors, STRICT);
  const first = errors[0];
  if (first !== undefined) return { ...lineColumnAt(text, first.offset + bom), offset: first.offset + bom };
  // jsonc-parser is laxer than JSON.parse about a few string contents (raw control characters);
  // JSON.parse has the last word, and its failure is placed at the start when the parser saw none.
  try {
    JSON.parse(text.slice(bom));
    return undefined;
  } catch {
    return { line: 1, column: 1, offset: 0 };
  }
}

/** `namespaces[2].routes[14].dst` → `['namespaces', 2, 'routes', 14, 'dst']`. */
function segments(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

/**
 * The 1-based line where the value at `path` starts, or where its closest
 * existing ancestor starts when the field is missing. Undefined for text that
 * does not parse.
 */
export function lineOfPath(text: string, path: string): number | undefined {
  const root = parseTree(text, [], STRICT);
  if (root === undefined) return undefined;
  const parts = path === '(document)' ? [] : segments(path);
  for (let n = parts.length; n >= 0; n--) {
    const node = n === 0 ? root : findNodeAtLocation(root, parts.slice(0, n));
    if (node !== undefined) {
      // A property's value: report the line of its key, where the reader looks.
      const at = node.parent?.type === 'property' ? node.parent.offset : node.offset;
      return lineColumnAt(text, at).line;
    }
  }
  return undefined;
}
