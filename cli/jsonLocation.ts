/**
 * Finding where a field sits in a JSON text, so `podnet validate` can say
 * `node1.json:214: namespaces[2].routes[14].dst: expected a prefix` and the
 * user can jump to the line. Paths use validateSnapshot's notation.
 */

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

/** Where JSON.parse failed, from V8's `at position N` message; undefined when it does not say. */
export function jsonErrorLocation(text: string, error: unknown): { line: number; column: number } | undefined {
  const msg = error instanceof Error ? error.message : String(error);
  const lc = /line (\d+) column (\d+)/.exec(msg);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(msg);
  if (pos) return lineColumnAt(text, Number(pos[1]));
  if (/Unexpected end of JSON input/.test(msg)) return lineColumnAt(text, text.length);
  return undefined;
}

/**
 * The 1-based line where the value at `path` starts (`namespaces[0].routes[3].dst`),
 * or where its closest existing ancestor starts when the field is missing.
 * Assumes `text` is valid JSON (JSON.parse accepted it).
 */
export function lineOfPath(text: string, path: string): number | undefined {
  let best: number | undefined;
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const isPrefix = (p: string): boolean =>
    p === '' || path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
  // Walks one value; records its line when its path is on the way to `path`.
  const value = (p: string): void => {
    ws();
    if (isPrefix(p)) best = lineColumnAt(text, i).line;
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        ws();
        i++; // ':'
        value(p === '' ? key : `${p}.${key}`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // '}'
        return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${p}[${n}]`);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // ']'
        return;
      }
    }
    if (c === '"') {
      str();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i] ?? '')) i++;
  };
  try {
    value(path === '(document)' ? '\0' : '');
  } catch {
    return best;
  }
  return best;
}
