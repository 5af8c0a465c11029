/**
 * Splits a pasted terminal transcript into commands and their output, and
 * tracks where each command ran: interactive sessions (`kubectl exec -it POD
 * -- sh`, `ip netns exec NS bash`, `ssh node2`) move every later command
 * until `exit` or until the outer shell's prompt reappears.
 */
import type { SkippedBlock, ReadWarning } from '../types';
import { analyseCommand, KNOWN_PROGRAMS, looksLikeBareCommand, looksLikeProse, type AnalysedCommand, type ExecTarget } from './command';
import { matchPrompt, type PromptMatch } from './prompt';
import { basename } from './shell';

/** Where a command ran: which node (an `ssh` host, or the transcript's own) and which netns there. */
export interface Scope {
  /** Set inside an `ssh HOST` session. */
  sshHost?: string;
  target: ExecTarget;
}

/** One command of the transcript with the output printed below it. */
export interface TranscriptCommand {
  /** 1-based line of the command (of its first line, when it continues with `\`). */
  line: number;
  /** Last line of its output (the command's own last line when it printed nothing). */
  endLine: number;
  /** The command as typed, without the prompt. */
  text: string;
  prompt?: PromptMatch;
  command: AnalysedCommand;
  output: string[];
  /** 1-based line of `output[0]`. */
  firstOutputLine: number;
  scope: Scope;
  /** No command line was pasted; `sniffOutput` recognised the output. It may be an excerpt. */
  inferred?: boolean;
}

/** The transcript cut into commands, plus what belonged to none. */
export interface TranscriptSplit {
  commands: TranscriptCommand[];
  skipped: SkippedBlock[];
  warnings: ReadWarning[];
  /** Host names in the prompts of commands run in the transcript's own host netns. */
  promptHosts: string[];
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

/** The input's lines, cleaned of what a terminal adds (colours, `\r`) and of indentation common to all. */
export function transcriptLines(input: string): string[] {
  const lines = input.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).map((l) => l.replace(ANSI, '').replace(/\s+$/, ''));
  // Forum posts and Markdown quotes indent every line by the same blanks, often a tab:
  // strip the leading whitespace all non-blank lines share, character for character.
  let common: string | null = null;
  for (const l of lines) {
    if (l.trim() === '') continue;
    const lead = /^[ \t]*/.exec(l)?.[0] ?? '';
    if (common === null) common = lead;
    else {
      let k = 0;
      while (k < common.length && k < lead.length && common[k] === lead[k]) k++;
      common = common.slice(0, k);
    }
    if (common === '') return lines;
  }
  if (common === null || common === '') return lines;
  const n = common.length;
  return lines.map((l) => l.slice(n));
}

const PROSE = 'prose: text written between commands';

const PROBES = new Set(['ping', 'ping6', 'traceroute', 'traceroute6', 'tracepath', 'mtr', 'tcpdump', 'arping', 'hping3']);
const KUBECTL_EXEC_STATUS = /^command terminated with exit code \d+$/;

/** A command whose output is what the network did (ping, traceroute, tcpdump), in sentences of its own. */
function isProbe(cmd: TranscriptCommand): boolean {
  return PROBES.has(basename(cmd.command.argv[0] ?? ''));
}

interface Session {
  scope: Scope;
  /** Host named by the prompt of the shell that opened this session; its reappearance ends the session. */
  openerHost?: string;
  /** Host named by this session's own prompts. */
  ownHost?: string;
}

function isCommandAfterPrompt(p: PromptMatch): boolean {
  if (p.command === '') return false;
  if (p.strength === 'strong') return true;
  if (looksLikeBareCommand(p.command)) return true;
  const words = p.command.split(/\s+/);
  return KNOWN_PROGRAMS.has(basename(words[0] ?? '')) && words.length <= 40 && !/[.!?:]$/.test(p.command);
}

function isPromptOnly(p: PromptMatch): boolean {
  return p.command === '' && (p.strength === 'strong' || p.prompt.length <= 2);
}

/** Splits a transcript. Never throws. */
export function splitTranscript(input: string): TranscriptSplit {
  const lines = transcriptLines(input);
  const out: TranscriptSplit = { commands: [], skipped: [], warnings: [], promptHosts: [] };
  const sessions: Session[] = [];
  let current: TranscriptCommand | null = null;
  let orphan: SkippedBlock | null = null;
  const hostSet = new Set<string>();

  const closeOrphan = (): void => {
    if (orphan) {
      const sniffed = orphan.reason === PROSE ? null : sniffOutput(lines.slice(orphan.startLine - 1, orphan.endLine));
      if (sniffed) {
        out.commands.push({
          line: orphan.startLine,
          endLine: orphan.endLine,
          text: `${sniffed} (inferred: output pasted without its command)`,
          command: analyseCommand(sniffed),
          output: lines.slice(orphan.startLine - 1, orphan.endLine),
          firstOutputLine: orphan.startLine,
          scope: scopeNow(),
          inferred: true,
        });
      } else out.skipped.push(orphan);
    }
    orphan = null;
  };
  const closeCurrent = (): void => {
    if (!current) return;
    while (current.output.length > 0 && (current.output[current.output.length - 1] as string).trim() === '') current.output.pop();
    current.endLine = current.output.length > 0 ? current.firstOutputLine + current.output.length - 1 : current.line;
    out.commands.push(current);
    current = null;
  };
  const scopeNow = (): Scope => sessions[sessions.length - 1]?.scope ?? { target: { kind: 'host' } };

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i] as string;
    if (/^\s*(```|~~~)/.test(raw)) {
      closeOrphan();
      continue;
    }
    const prompt = matchPrompt(raw);
    let commandText: string | null = null;
    if (prompt && isCommandAfterPrompt(prompt)) commandText = prompt.command;
    else if (!prompt && looksLikeBareCommand(raw)) commandText = raw.trim();

    if (commandText === null && prompt && isPromptOnly(prompt)) {
      closeCurrent();
      closeOrphan();
      popByPrompt(sessions, prompt);
      continue;
    }
    if (commandText === null) {
      // Prose interrupts output: what follows it is not the previous command's any more. Probes
      // print sentences of their own (`From 10.244.0.1 icmp_seq=1 Frag needed and DF set (mtu = 1450)`),
      // and kubectl exec ends a failed command with `command terminated with exit code 1`.
      const ownSentence = current !== null && (isProbe(current) || KUBECTL_EXEC_STATUS.test(raw));
      if (raw.trim() !== '' && !/^\s/.test(raw) && !ownSentence && looksLikeProse(raw)) {
        closeCurrent();
        if (orphan && orphan.reason === PROSE) orphan.endLine = lineNo;
        else {
          closeOrphan();
          orphan = { startLine: lineNo, endLine: lineNo, reason: PROSE, text: raw.slice(0, 200) };
        }
        continue;
      }
      if (current) {
        current.output.push(raw);
        continue;
      }
      if (raw.trim() === '') {
        closeOrphan();
        continue;
      }
      if (orphan && orphan.reason !== PROSE) {
        orphan.endLine = lineNo;
      } else {
        closeOrphan();
        orphan = { startLine: lineNo, endLine: lineNo, reason: 'not a command, and no command before it', text: raw.slice(0, 200) };
      }
      continue;
    }

    closeCurrent();
    closeOrphan();
    // A command continued with a trailing backslash.
    let text = commandText;
    let j = i;
    while (text.endsWith('\\') && j + 1 < lines.length) {
      j++;
      text = `${text.slice(0, -1).trimEnd()} ${(lines[j] as string).trim()}`;
    }
    const firstOutput = j + 2;
    i = j;

    if (prompt) popByPrompt(sessions, prompt);
    const command = analyseCommand(text);
    // kubectl is seldom installed inside a pod: seeing it means the pod shell was left unseen (Ctrl-D).
    const prog = basename(command.argv[0] ?? text.split(/\s+/)[0] ?? '');
    const top = sessions[sessions.length - 1];
    if (top && (top.scope.target.kind === 'pod' || top.scope.target.kind === 'container') && ['kubectl', 'k', 'oc'].includes(prog)) {
      out.warnings.push({ line: lineNo, message: 'kubectl ran where a pod shell was open; reading the pod shell as closed' });
      while (sessions.length > 0) {
        const k = (sessions[sessions.length - 1] as Session).scope.target.kind;
        if (k !== 'pod' && k !== 'container') break;
        sessions.pop();
      }
    }
    const base = scopeNow();
    let scope: Scope = base;
    if (command.target) {
      if (command.target.kind === 'node') scope = { sshHost: command.target.host, target: { kind: 'host' } };
      else scope = base.sshHost !== undefined ? { sshHost: base.sshHost, target: command.target } : { target: command.target };
    }
    if (prompt?.host !== undefined && sessions.length === 0 && scope.target.kind === 'host' && scope.sshHost === undefined) {
      hostSet.add(prompt.host);
    }
    if (prompt?.host !== undefined && sessions.length > 0) {
      const s = sessions[sessions.length - 1] as Session;
      if (s.ownHost === undefined && prompt.host !== s.openerHost) s.ownHost = prompt.host;
    }
    const cmd: TranscriptCommand = {
      line: lineNo,
      endLine: j + 1,
      text,
      command,
      output: [],
      firstOutputLine: firstOutput,
      scope,
    };
    if (prompt) cmd.prompt = prompt;
    current = cmd;
    if (command.opensSession && !command.compound) {
      const s: Session = { scope };
      if (prompt?.host !== undefined) s.openerHost = prompt.host;
      sessions.push(s);
    } else if (command.kind?.kind === 'exit' && !command.target) {
      if (sessions.length > 0) sessions.pop();
    }
  }
  closeCurrent();
  closeOrphan();
  out.promptHosts = [...hostSet];
  return out;
}

/**
 * When a prompt naming the host of an outer shell reappears, the inner
 * sessions ended (the user left them without an `exit` in the paste).
 */
function popByPrompt(sessions: Session[], prompt: PromptMatch): void {
  if (prompt.host === undefined || sessions.length === 0) return;
  const top = sessions[sessions.length - 1] as Session;
  if (top.ownHost === prompt.host) return;
  for (let k = sessions.length - 1; k >= 0; k--) {
    const s = sessions[k] as Session;
    // `ip netns exec X bash` and `nsenter` keep the machine's host name in the prompt, so only
    // sessions that change machine or container can be seen to end this way.
    const movesHost = s.scope.target.kind === 'pod' || s.scope.target.kind === 'container' || s.scope.sshHost !== undefined;
    if (s.openerHost === prompt.host && movesHost) {
      sessions.length = k;
      return;
    }
  }
}

/**
 * The command whose output `block` unmistakably is, for output pasted
 * without its command line (people often paste just `ip addr`'s output).
 */
export function sniffOutput(block: string[]): string | null {
  const first = block.find((l) => l.trim() !== '')?.trim();
  if (first === undefined || block.length < 1) return null;
  if (/^\d+:\s+[^\s:@]+(@[^\s:]+)?:\s+(<[A-Z_,-]*>\s+)?mtu\s\d+/.test(first)) return 'ip addr';
  if (/^(default|[\d.]+(\/\d+)?|[0-9a-f:]+\/\d+)\s+(via|dev)\s/.test(first)) return 'ip route';
  if (/^Kernel IP routing table/.test(first)) return 'route -n';
  if (/^bridge name\s+bridge id/.test(first)) return 'brctl show';
  if (/^NAMESPACE\s+NAME\s+READY\s+STATUS/.test(first)) return 'kubectl get pods -A -o wide';
  if (/^NAME\s+READY\s+STATUS/.test(first)) return 'kubectl get pods -o wide';
  if (/^NAME\s+STATUS\s+ROLES/.test(first)) return 'kubectl get nodes -o wide';
  if (/^[\d.]+\s+dev\s+\S+\s+(lladdr|FAILED|INCOMPLETE)/.test(first)) return 'ip neigh';
  if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}\s+dev\s/.test(first)) return 'bridge fdb show';
  return null;
}
