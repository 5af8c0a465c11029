/**
 * Turning command-line file arguments into readings: `NODE=FILE` or a bare
 * `FILE`, read from disk, handed to readEvidence. The only place the CLI
 * touches the file system for evidence.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { readEvidence } from '../lib/read/readEvidence';
import { reconcileReadings } from '../lib/read/reconcile';
import type { FileReading } from '../lib/format/inspectText';
import { formatReaderWarning } from '../lib/format/inspectText';
import { CliError, EXIT_USAGE } from './errors';

/** Larger inputs are almost certainly not a node capture (a 1,000-pod node's snapshot is ~1 MB). */
const MAX_FILE_BYTES = 256 * 1024 * 1024;

/** One evidence argument: the file and, for `NODE=FILE`, the node the user says it is about. */
export interface EvidenceArg {
  file: string;
  nodeName?: string;
}

/**
 * `node1=capture.txt` names the node; a path that exists as given wins, so a
 * file whose name contains `=` still reads. Node names are DNS names or IPs,
 * so a `/` before the `=` means it is a path, not a node.
 */
export async function parseEvidenceArg(arg: string): Promise<EvidenceArg> {
  const m = /^([^=/\\]+)=(.+)$/.exec(arg);
  if (!m || (await exists(arg))) return { file: arg };
  return { file: m[2] ?? arg, nodeName: m[1] ?? undefined };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Reads a file as UTF-8 text; an unreadable file is a usage error naming it. */
export async function readText(file: string): Promise<string> {
  let size: number;
  try {
    const st = await stat(file);
    if (st.isDirectory()) throw new CliError(EXIT_USAGE, `${file}: is a directory, expected a capture or snapshot file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(EXIT_USAGE, `${file}: cannot read: ${errorText(e)}`);
  }
  if (size > MAX_FILE_BYTES) throw new CliError(EXIT_USAGE, `${file}: ${size} bytes is larger than the ${MAX_FILE_BYTES}-byte limit`);
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(EXIT_USAGE, `${file}: cannot read: ${errorText(e)}`);
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EACCES') return 'permission denied';
    return e.message;
  }
  return String(e);
}

/** Reads every argument; never throws on the contents (readers report), only on unreadable files. */
export async function readAll(args: readonly string[]): Promise<FileReading[]> {
  if (args.length === 0) throw new CliError(EXIT_USAGE, 'no evidence given: pass one or more FILE or NODE=FILE arguments');
  const out: FileReading[] = [];
  for (const arg of args) {
    const ev = await parseEvidenceArg(arg);
    const text = await readText(ev.file);
    const result = readEvidence(text, {
      fileName: path.basename(ev.file),
      ...(ev.nodeName !== undefined ? { nodeName: ev.nodeName } : {}),
    });
    out.push({ file: ev.file, ...(ev.nodeName !== undefined ? { nodeName: ev.nodeName } : {}), result });
  }
  // One file per node and kubectl run elsewhere: names and pod netns only line up across files.
  reconcileReadings(out);
  return out;
}

/** A file that gave nothing usable stops a trace: its error names the file and line. */
export function failOnUnusable(files: readonly FileReading[]): void {
  const bad = files.filter((f) => f.result.snapshots.length === 0);
  if (bad.length === 0) return;
  const lines = bad.map((f) =>
    formatReaderWarning(f.file, f.result.error ?? { message: 'nothing in this file could be read as node evidence' }),
  );
  throw new CliError(EXIT_USAGE, lines.join('\n'));
}

/** Every reader warning of every file, as `file:line: message`. */
export function readerWarnings(files: readonly FileReading[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const w of f.result.warnings) out.push(formatReaderWarning(f.file, w));
    if (f.result.error && f.result.snapshots.length > 0) out.push(formatReaderWarning(f.file, f.result.error));
  }
  return out;
}
