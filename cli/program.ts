/**
 * The `podnet` command line: a thin shell that reads files, calls the engine
 * (readEvidence → buildTopology → trace) and prints. Every decision about
 * networking lives in lib/; this file only parses arguments and renders.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { buildTopology } from '../lib/topology/build';
import { trace } from '../lib/trace/trace';
import { validateSnapshot } from '../lib/snapshot/validate';
import { formatTrace } from '../lib/format/traceText';
import { formatInspect, formatReaderWarning } from '../lib/format/inspectText';
import type { Snapshot } from '../lib/snapshot/schema';
import { CliError, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE } from './errors';
import { registerCollect } from './collect';
import { registerServe } from './serve';
import { registerToken } from './token';
import { exitQuietlyOnEpipe } from './stdio';
import { failOnUnusable, readAll, readerWarnings, readText } from './evidence';
import { jsonSyntaxError, lineOfPath } from '../lib/read/jsonLocation';

/** Where the CLI writes; tests and the bin give process streams. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const EVIDENCE_HELP = `Each FILE is a podnet snapshot (JSON) or a terminal transcript / command output.
NODE=FILE says which node the file is about; a bare FILE takes its node name
from the evidence when that is unambiguous, else from the file name.

Exit codes: 0 the command ran (for trace: whatever the verdict), 2 usage error or
unreadable input (the message names the file and line), 1 unexpected failure.`;

function parseSize(v: string): number {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('expected a whole number of bytes');
  const n = Number(v);
  // 28 = IPv4 + ICMP headers; 65535 = the IPv4 total-length field's limit.
  if (n < 28 || n > 65535) throw new InvalidArgumentError('expected 28..65535 bytes (the whole IP packet)');
  return n;
}

function snapshotsOf(files: Awaited<ReturnType<typeof readAll>>): Snapshot[] {
  return files.flatMap((f) => f.result.snapshots);
}

async function runTrace(
  opts: { from: string; to: string; size?: number; json?: boolean },
  args: string[],
  io: CliIo,
): Promise<number> {
  const files = await readAll(args);
  failOnUnusable(files);
  const warnings = readerWarnings(files);
  const snapshots = snapshotsOf(files);
  const topology = buildTopology(snapshots);
  const t = trace(topology, opts.from, opts.to, opts.size === undefined ? {} : { size: opts.size });
  if (opts.json) {
    io.stdout(`${JSON.stringify(t, null, 2)}\n`);
    for (const w of warnings) io.stderr(`warning: ${w}\n`);
  } else {
    io.stdout(formatTrace(t, { readerWarnings: warnings }));
  }
  return EXIT_OK;
}

async function runInspect(opts: { json?: boolean }, args: string[], io: CliIo): Promise<number> {
  const files = await readAll(args);
  const topology = buildTopology(snapshotsOf(files));
  if (opts.json) {
    const doc = {
      files: files.map((f) => ({
        file: f.file,
        ...(f.nodeName !== undefined ? { nodeName: f.nodeName } : {}),
        nodes: f.result.snapshots.map((s) => s.node.name),
        used: f.result.used,
        skipped: f.result.skipped,
        warnings: f.result.warnings,
        ...(f.result.error ? { error: f.result.error } : {}),
      })),
      topology,
    };
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    io.stdout(formatInspect(files, topology));
  }
  const unusable = files.filter((f) => f.result.snapshots.length === 0);
  for (const f of unusable) {
    io.stderr(`podnet: ${formatReaderWarning(f.file, f.result.error ?? { message: 'nothing could be read as node evidence' })}\n`);
  }
  return unusable.length > 0 ? EXIT_USAGE : EXIT_OK;
}

async function runValidate(args: string[], io: CliIo): Promise<number> {
  if (args.length === 0) throw new CliError(EXIT_USAGE, 'no file given: pass one or more snapshot JSON files');
  let bad = 0;
  for (const file of args) {
    const text = await readText(file);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      const at = jsonSyntaxError(text);
      io.stdout(`${file}${at ? `:${at.line}:${at.column}` : ''}: not JSON: ${e instanceof Error ? e.message : String(e)}\n`);
      bad++;
      continue;
    }
    // A file may hold one snapshot or an array of them (one per node).
    const docs = Array.isArray(doc) ? doc : [doc];
    docs.forEach((d, n) => {
      const prefix = Array.isArray(doc) ? `[${n}]` : '';
      const v = validateSnapshot(d);
      if (v.ok) {
        const s = v.snapshot;
        const pods = s.namespaces.filter((ns) => ns.kind === 'pod').length;
        io.stdout(`${file}${prefix ? ` ${prefix}` : ''}: valid snapshot of node ${s.node.name} (${s.namespaces.length} namespaces, ${pods} pod namespaces)\n`);
        return;
      }
      bad++;
      io.stdout(`${file}${prefix ? ` ${prefix}` : ''}: invalid snapshot\n`);
      for (const issue of v.issues) {
        const fullPath = !prefix ? issue.path : issue.path === '(document)' ? prefix : `${prefix}.${issue.path}`;
        const line = lineOfPath(text, fullPath);
        io.stdout(`  ${file}${line === undefined ? '' : `:${line}`}: ${fullPath}: ${issue.message}\n`);
      }
    });
  }
  return bad > 0 ? EXIT_USAGE : EXIT_OK;
}

/** Builds the commander program; actions report their exit code through `setCode`. */
function buildProgram(io: CliIo, setCode: (code: number) => void): Command {
  const program = new Command();
  program
    .name('podnet')
    .description('Reads Linux/Kubernetes node network evidence and traces a packet hop by hop.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run podnet help for usage)');

  program
    .command('trace')
    .description('trace a packet from SRC to DST (pod IP, pod namespace/name, or address) through the evidence')
    .requiredOption('--from <src>', 'source: a pod IP, namespace/name, or address')
    .requiredOption('--to <dst>', 'destination: a pod IP, namespace/name, an address, ADDRESS:PORT, or svc/NAMESPACE/NAME[:PORT]')
    .option('--size <bytes>', 'total IP packet size in bytes (default 84, a ping)', parseSize)
    .option('--json', 'print the Trace model as one JSON object (warnings go to stderr)')
    .argument('<files...>', 'evidence: FILE or NODE=FILE')
    .addHelpText('after', `\n${EVIDENCE_HELP}`)
    .action(async (files: string[], opts: { from: string; to: string; size?: number; json?: boolean }) => {
      setCode(await runTrace(opts, files, io));
    });

  program
    .command('inspect')
    .description('show what was read from each file and the topology built from it')
    .option('--json', 'print { files, topology } as one JSON object')
    .argument('<files...>', 'evidence: FILE or NODE=FILE')
    .addHelpText('after', `\n${EVIDENCE_HELP}`)
    .action(async (files: string[], opts: { json?: boolean }) => {
      setCode(await runInspect(opts, files, io));
    });

  program
    .command('validate')
    .description('check snapshot JSON files against snapshot format v1; names the bad field and its line')
    .argument('<files...>', 'snapshot JSON files')
    .action(async (files: string[]) => {
      setCode(await runValidate(files, io));
    });

  registerCollect(program, io, setCode);
  registerToken(program, io, setCode);
  registerServe(program, io, setCode);

  return program;
}

/** Runs the CLI on `args` (without `node` and the script) and returns the exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    if (args.length === 0) {
      io.stderr(program.helpInformation());
      return EXIT_USAGE;
    }
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successful exits; every other commander error is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      io.stderr(`podnet: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`podnet: unexpected failure: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_UNEXPECTED;
  }
}

/** Entry from the bin: real streams, real exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  exitQuietlyOnEpipe();
  const code = await runCli(argv, {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
  process.exitCode = code;
}
