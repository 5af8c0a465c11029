/**
 * The one entry point for evidence a user gives: a podnet snapshot JSON
 * document, a JSON array of snapshots, or a terminal transcript as people
 * paste it. Whatever comes in, a ReadResult comes out: never an exception.
 */
import { validateSnapshot } from '../snapshot/validate';
import type { Snapshot } from '../snapshot/schema';
import { assemble, enforceSchema, hasKubernetesFacts, type NodeEvidence } from './assemble';
import { reconcileReadings } from './reconcile';
import { readTranscript } from './transcript/readTranscript';
import type { ReadOptions, ReadResult, ReadWarning } from './types';

/** Inputs larger than this are refused rather than read slowly. */
export const MAX_INPUT_CHARS = 64 * 1024 * 1024;

/** Turns any evidence into snapshots, saying what it used and skipped. Never throws. */
export function readEvidence(input: string, opts: ReadOptions = {}): ReadResult {
  try {
    return readEvidenceUnsafe(typeof input === 'string' ? input : String(input), opts);
  } catch (e) {
    // Readers are written not to throw; this is the last line of defence.
    return {
      snapshots: [],
      used: [],
      skipped: [],
      warnings: [],
      error: { message: `podnet could not read this input: ${e instanceof Error ? e.message : String(e)}` },
    };
  }
}

function empty(error: ReadResult['error']): ReadResult {
  const r: ReadResult = { snapshots: [], used: [], skipped: [], warnings: [] };
  if (error) r.error = error;
  return r;
}

function readEvidenceUnsafe(input: string, opts: ReadOptions): ReadResult {
  if (input.length > MAX_INPUT_CHARS) {
    return empty({ message: `the input is ${input.length} characters; podnet reads at most ${MAX_INPUT_CHARS}` });
  }
  const trimmed = input.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return empty({ message: 'the input is empty' });
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const json = tryJson(trimmed);
    if (json.ok) return readJsonDocument(json.value, lineOfFirst(input), opts);
    // `[root@host ~]#` also starts with `[`: only a `{` document is surely meant as JSON.
    if (trimmed.startsWith('{')) return empty({ line: json.line, message: `not valid JSON: ${json.message}` });
  }
  return readTranscriptEvidence(input, opts);
}

function lineOfFirst(input: string): number {
  const m = /^\s*/.exec(input);
  return (m ? m[0].split('\n').length - 1 : 0) + 1;
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false; message: string; line?: number } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(message);
    const lineMatch = /line (\d+)/.exec(message);
    let line: number | undefined;
    if (lineMatch) line = Number(lineMatch[1]);
    else if (pos) line = text.slice(0, Number(pos[1])).split('\n').length;
    const r: { ok: false; message: string; line?: number } = { ok: false, message: message.slice(0, 300) };
    if (line !== undefined) r.line = line;
    return r;
  }
}

function readJsonDocument(value: unknown, line: number, opts: ReadOptions): ReadResult {
  const docs = Array.isArray(value) ? value : [value];
  if (docs.length === 0) return empty({ line, message: 'an empty JSON array: no snapshots' });
  const result = empty(undefined);
  const errors: string[] = [];
  docs.forEach((doc, i) => {
    const where = Array.isArray(value) ? `[${i}]` : '';
    const v = validateSnapshot(doc);
    if (!v.ok) {
      const first = v.issues[0];
      const detail = v.issues
        .slice(0, 5)
        .map((issue) => `${where}${issue.path === '(document)' ? '' : issue.path}: ${issue.message}`)
        .join('; ');
      errors.push(detail || `${where}: invalid`);
      void first;
      return;
    }
    const snapshot: Snapshot = v.snapshot;
    if (opts.collectedAt !== undefined && snapshot.collectedAt === undefined) {
      const stamped = enforceSchema({ ...snapshot, collectedAt: opts.collectedAt }, result.warnings);
      result.snapshots.push(stamped ?? snapshot);
    } else result.snapshots.push(snapshot);
    result.used.push({
      startLine: line,
      endLine: line,
      command: 'snapshot JSON',
      context: snapshot.node.name,
      summary: `${snapshot.namespaces.length} netns`,
    });
  });
  if (errors.length > 0) {
    const message = `not a valid podnet snapshot: ${errors.join('; ')}`.slice(0, 2000);
    if (result.snapshots.length === 0) return empty({ line, message });
    result.warnings.push({ line, message });
  }
  return result;
}

function readTranscriptEvidence(input: string, opts: ReadOptions): ReadResult {
  const evidence = readTranscript(input);
  const warnings: ReadWarning[] = [...evidence.warnings];
  const result: ReadResult = {
    snapshots: [],
    used: evidence.used,
    skipped: evidence.skipped.sort((a, b) => a.startLine - b.startLine || a.endLine - b.endLine),
    warnings,
  };
  if (evidence.used.length === 0) {
    const first = evidence.skipped[0];
    const error: NonNullable<ReadResult['error']> = {
      message:
        evidence.skipped.length === 0
          ? 'no commands or evidence podnet can read were found'
          : `no commands or evidence podnet can read were found (first problem: ${first?.reason ?? 'unknown'})`,
    };
    if (first) error.line = first.startLine;
    result.error = error;
    return result;
  }
  const hasEvidence = (n: NodeEvidence): boolean => n.netns.size > 0 || hasKubernetesFacts(n);
  // The transcript's own machine is a node only when something was read there: a paste that starts
  // on a laptop (`PS C:\> ssh ubuntu@node`) and does all its work in the ssh session is about that node.
  const ownUsed = hasEvidence(evidence.nodes[0] as NodeEvidence) || !evidence.nodes.some((n, i) => i > 0 && hasEvidence(n));
  let nodes = evidence.nodes.filter((n, i) => (i === 0 ? ownUsed : hasEvidence(n)));
  if (!ownUsed && nodes.length === 1 && opts.nodeName !== undefined) {
    // NODE=FILE names what the file is about, and that is the one node it holds.
    const only: NodeEvidence = { ...(nodes[0] as NodeEvidence) };
    delete only.sshHost;
    nodes = [only];
  }
  const assembled = assemble(nodes, opts);
  result.snapshots = assembled.snapshots;
  warnings.push(...assembled.warnings);
  if (result.snapshots.length === 0) result.error = { message: 'the evidence read did not form a valid snapshot' };
  else reconcileReadings([opts.nodeName !== undefined ? { result, nodeName: opts.nodeName } : { result }]);
  return result;
}
