/**
 * What every reader returns. Readers turn wire shapes (JSON of `ip -j`, text of
 * `ip addr`, whole terminal transcripts) into snapshots; they never throw on
 * user data. Each read says what it used and what it skipped, with line
 * numbers (1-based, in the file the user gave) and reasons.
 */
import type { Snapshot } from '../snapshot/schema';

/** A stretch of input a reader understood. */
export interface UsedBlock {
  /** First and last line (1-based, inclusive) of the command's output (or of the JSON document). */
  startLine: number;
  endLine: number;
  /** The command as written (`ip -d link show`), or the kind of document (`snapshot JSON`). */
  command: string;
  /** Where it ran: `host`, or the pod / netns it ran in. */
  context: string;
  /** What it contributed, e.g. `12 links`, `4 routes`. */
  summary: string;
}

/** A line or stretch of input a reader did not use, and why. */
export interface SkippedBlock {
  startLine: number;
  endLine: number;
  reason: string;
  /** The first line's text, cut to 200 characters, so the user recognises it. */
  text: string;
}

/** Something a reader noticed that weakens or qualifies what it read. */
export interface ReadWarning {
  line?: number;
  message: string;
}

/** The outcome of reading one input (file, upload, request body). */
export interface ReadResult {
  /** Usually one; a transcript may reveal several nodes only when it says so explicitly. */
  snapshots: Snapshot[];
  used: UsedBlock[];
  skipped: SkippedBlock[];
  warnings: ReadWarning[];
  /** Set when nothing usable came out of the input: a clear message saying where and why. */
  error?: { line?: number; message: string };
}

/** Options a caller can give any reader. */
export interface ReadOptions {
  /** Name of the node the evidence is about, when the caller knows it (`NODE=FILE`). */
  nodeName?: string;
  /** File name, used as a last resort for the node name and in messages. */
  fileName?: string;
  /** Collection time to stamp on the snapshot when the evidence does not carry one. */
  collectedAt?: string;
}

/**
 * What one command-output parser returns. Parsers get the output lines of one
 * command (without the command line itself) and the 1-based line number of
 * the first of them in the original input, so every warning and skipped line
 * points back to where the user can see it.
 */
export interface ParseOutput<T> {
  items: T[];
  warnings: ReadWarning[];
  skipped: SkippedBlock[];
}
