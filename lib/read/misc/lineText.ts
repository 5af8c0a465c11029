/** Helpers shared by the misc parsers. */
import type { SkippedBlock } from '../types';

/** A skipped line with the text cut to 200 characters, as SkippedBlock requires. */
export function skipLine(line: number, text: string, reason: string): SkippedBlock {
  return { startLine: line, endLine: line, reason, text: text.slice(0, 200) };
}

/** A Linux interface name: 1–15 bytes, no `/`, no whitespace. Pasted text sometimes holds more; be lenient up to 64. */
export function isIfname(s: string): boolean {
  return s.length > 0 && s.length <= 64 && /^[^\s/:]+$/.test(s) && s !== '.' && s !== '..';
}
