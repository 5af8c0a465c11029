/**
 * Where a JSON document first breaks, as a 1-based line and column. V8's
 * JSON.parse messages often name no position ("Unexpected token 'o', …
 * is not valid JSON"), and an upload error must name the line: this small
 * scanner walks the grammar and stops at the first byte that cannot belong.
 */

/** The first syntax error of `text`, or undefined when it is valid JSON. */
export function jsonErrorPosition(text: string): { line: number; column: number; offset: number } | undefined {
  // JSON.parse on the server strips a byte-order mark too.
  let i = text.startsWith('\uFEFF') ? 1 : 0;
  const n = text.length;
  class Stop extends Error {}
  const fail = (): never => {
    throw new Stop();
  };
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    if (text[i] !== '"') fail();
    i++;
    while (i < n) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch < 0x20) fail();
      if (ch === 0x5c) {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail();
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
    fail();
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail();
    else i += m[0].length;
  };
  const stack: Array<'{' | '['> = [];
  // Opening brackets loop instead of recursing: deep nesting cannot overflow the stack.
  const value = (): void => {
    for (;;) {
      ws();
      const ch = text[i];
      if (ch !== '{' && ch !== '[') break;
      stack.push(ch);
      i++;
      ws();
      if (text[i] === (ch === '{' ? '}' : ']')) {
        stack.pop();
        i++;
        return;
      }
      if (ch === '{') {
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
      }
    }
    const ch = text[i];
    if (ch === '"') string();
    else if (ch === 't') literal('true');
    else if (ch === 'f') literal('false');
    else if (ch === 'n') literal('null');
    else number();
  };
  try {
    value();
    for (;;) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      if (text[i] === ',') {
        i++;
        ws();
        if (top === '{') {
          string();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
      } else if (text[i] === (top === '{' ? '}' : ']')) {
        stack.pop();
        i++;
      } else fail();
    }
    ws();
    if (i < n) fail();
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, Math.min(i, n));
    const line = before.split('\n').length;
    return { line, column: i - before.lastIndexOf('\n'), offset: i };
  }
}
