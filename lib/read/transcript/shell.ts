/**
 * Just enough of POSIX shell syntax to read the command lines people paste:
 * quotes, escapes, pipes, `&&`/`;` chains and redirections. Nothing is ever
 * executed; the point is to know which program produced the output below the
 * line and whether a pipe may have removed some of it.
 */

/** A command line split into pipeline stages. */
export interface ShellLine {
  /** Words of each pipeline stage, quotes removed (`ip route | grep x` → [[ip, route], [grep, x]]). */
  stages: string[][];
  /** Several commands joined by `&&`, `||` or `;`: their outputs cannot be told apart. */
  compound: boolean;
  /** Standard output went to a file (`> out.txt`), so nothing was printed. */
  stdoutRedirected: boolean;
  /** An opening quote was never closed (the line was cut or wraps). */
  unterminatedQuote: boolean;
}

const OPERATOR_CHARS = new Set(['|', '&', ';', '<', '>']);

/** Splits a command line into words and operators. Never throws. */
export function parseShellLine(text: string): ShellLine {
  const stages: string[][] = [[]];
  let compound = false;
  let stdoutRedirected = false;
  let unterminatedQuote = false;
  let word = '';
  let inWord = false;
  let pendingRedirect: 'stdout' | 'other' | null = null;

  const current = (): string[] => stages[stages.length - 1] as string[];
  const endWord = (): void => {
    if (!inWord) return;
    if (pendingRedirect !== null) {
      // A redirection's target is not an argument of the command.
      if (pendingRedirect === 'stdout' && word !== '/dev/null' && !word.startsWith('&')) stdoutRedirected = true;
      pendingRedirect = null;
    } else {
      current().push(word);
    }
    word = '';
    inWord = false;
  };

  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === '\\') {
      if (i + 1 < n) word += text[i + 1];
      inWord = true;
      i += 2;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        unterminatedQuote = true;
        word += text.slice(i + 1);
        inWord = true;
        break;
      }
      word += text.slice(i + 1, close);
      inWord = true;
      i = close + 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const d = text[j] as string;
        if (d === '\\' && j + 1 < n && '"\\$`'.includes(text[j + 1] as string)) {
          word += text[j + 1];
          j += 2;
          continue;
        }
        if (d === '"') {
          closed = true;
          break;
        }
        word += d;
        j++;
      }
      inWord = true;
      if (!closed) {
        unterminatedQuote = true;
        break;
      }
      i = j + 1;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !inWord) break; // a comment runs to the end of the line
    // `2>`, `2>&1`, `&>`: a digit right before `>` belongs to the redirection.
    if (c === '>' || c === '<' || (c === '&' && text[i + 1] === '>')) {
      let fd = '';
      if (c !== '&' && inWord && /^\d$/.test(word)) {
        fd = word;
        word = '';
        inWord = false;
      } else {
        endWord();
      }
      let j = i + (c === '&' ? 2 : 1);
      if (text[j] === '>') j++;
      if (c === '<') pendingRedirect = 'other';
      else if (c === '&') pendingRedirect = 'stdout';
      else pendingRedirect = fd === '' || fd === '1' ? 'stdout' : 'other';
      if (text[j] === '&') {
        // `2>&1`, `>&2`: duplicating a descriptor; the target is a number.
        const m = /^&\d*/.exec(text.slice(j));
        j += m ? m[0].length : 1;
        if (pendingRedirect === 'stdout' && !/^&1?$/.test(m?.[0] ?? '')) stdoutRedirected = true;
        pendingRedirect = null;
      }
      i = j;
      continue;
    }
    if (OPERATOR_CHARS.has(c)) {
      endWord();
      const two = text.slice(i, i + 2);
      if (two === '||' || two === '&&') {
        compound = true;
        stages.push([]);
        i += 2;
        continue;
      }
      if (c === '|') {
        stages.push([]);
        i += 1;
        continue;
      }
      if (c === ';' || c === '&') {
        // A trailing `;` or `&` ends the only command; anything after it is a second command.
        if (text.slice(i + 1).trim() !== '') compound = true;
        stages.push([]);
        i += 1;
        continue;
      }
    }
    word += c;
    inWord = true;
    i++;
  }
  endWord();
  const nonEmpty = stages.filter((s) => s.length > 0);
  return { stages: nonEmpty.length > 0 ? nonEmpty : [[]], compound, stdoutRedirected, unterminatedQuote };
}

/** How a later pipeline stage changes what the first command printed. */
export type PipeEffect = 'none' | 'filter' | 'transform';

const TRANSPARENT = new Set(['cat', 'less', 'more', 'tee', 'column']);
const FILTERS = new Set(['grep', 'egrep', 'fgrep', 'rg', 'head', 'tail', 'sort', 'uniq']);

/**
 * JSON pretty-printers that pass every value through: `| jq`, `| jq .`, `| jq -C '.'`,
 * `| python3 -m json.tool`, `| json_pp` — how `ip -j` output is usually pasted.
 */
function prettyPrintsJson(stage: string[]): boolean {
  const prog = basename(stage[0] ?? '');
  const args = stage.slice(1);
  if (prog === 'jq') return args.filter((a) => !a.startsWith('-')).every((a) => a === '.');
  if (/^python[\d.]*$/.test(prog)) return args.length === 2 && args[0] === '-m' && args[1] === 'json.tool';
  return prog === 'json_pp';
}

/** The combined effect of pipeline stages after the first. */
export function pipeEffect(stages: string[][]): PipeEffect {
  let effect: PipeEffect = 'none';
  for (const stage of stages.slice(1)) {
    const prog = basename(stage[0] ?? '');
    if (TRANSPARENT.has(prog) || prettyPrintsJson(stage)) continue;
    if (FILTERS.has(prog)) {
      // `grep -c` / `grep -l` print counts or names instead of the lines.
      if ((prog === 'grep' || prog === 'egrep') && stage.some((a) => /^-[a-zA-Z]*[cLl]/.test(a) && !a.startsWith('--'))) {
        return 'transform';
      }
      effect = 'filter';
      continue;
    }
    return 'transform';
  }
  return effect;
}

/** `/usr/sbin/ip` → `ip`. */
export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i >= 0 && i < path.length - 1 ? path.slice(i + 1) : path;
}
