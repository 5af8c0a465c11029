/**
 * Recognises shell prompts at the start of a pasted line. Prompts are how a
 * transcript says "a command starts here", and their host part names the
 * machine (`[root@vms71 ~]#`).
 */

/** A prompt found at the start of a line, and the command typed after it. */
export interface PromptMatch {
  /** The prompt as written, without the command (`[root@vms71 ~]#`). */
  prompt: string;
  /** What follows the prompt, trimmed; empty when the line is only a prompt. */
  command: string;
  user?: string;
  host?: string;
  /**
   * `strong`: the prompt cannot be ordinary output (`user@host:~$`, `bash-5.1#`);
   * `weak`: it can (`# `, `$ `, `~ `), so the command must be one podnet knows.
   */
  strength: 'strong' | 'weak';
}

interface PromptPattern {
  re: RegExp;
  strength: 'strong' | 'weak';
  /** Capture groups holding user and host, when the pattern has them. */
  user?: number;
  host?: number;
  /** Capture group holding the command. */
  command: number;
}

// What prompt themes put before user@host: a conda/virtualenv name `(base) `, a clock `[10:14:31] `.
const LEAD = String.raw`(?:\([\w.-]+\)\s+|\[\d{1,2}:\d{2}(?::\d{2})?\]\s*)?`;
const re = (body: string): RegExp => new RegExp(`^(${LEAD}${body})(?:\\s+(.*))?$`);

// Order matters: the most specific shapes first. Group 1 is the whole prompt.
const PATTERNS: PromptPattern[] = [
  // [root@vms71 ~]#   [root@pod1 /]#   [user@host dir]$
  { re: re(String.raw`\[([^\s@\]]+)@([\w.-]+)(?:\s[^\]]*)?\]\s?[#$%]`), strength: 'strong', user: 2, host: 3, command: 4 },
  // root@k8s-node1:~#   user@host:~/src$   root@pod1:/#   (base) user@host:~$
  { re: re(String.raw`([^\s@:()]+)@([\w.-]+):[^\s#$]*\s?[#$%]`), strength: 'strong', user: 2, host: 3, command: 4 },
  // I have no name!@postgres-0:/$   (bash in a container running as a uid with no passwd entry, e.g. bitnami images)
  { re: /^((I have no name!)@([\w.-]+):[^\s#$]*\s?[#$%])(?:\s+(.*))?$/, strength: 'strong', user: 2, host: 3, command: 4 },
  // web-7d9c:~#   toolbox-58c9d7b6f4-8zkq4:/app$   (bash's default `\h:\w\$` in Alpine and distroless-debug images)
  { re: /^(([A-Za-z][\w.-]*):[~/][^\s#$]*\s?[#$])(?:\s+(.*))?$/, strength: 'strong', host: 2, command: 3 },
  // root@host ~ #  (Gentoo)   user@host ~ $   user@MacBook ~ %
  { re: re(String.raw`([^\s@:()]+)@([\w.-]+)\s+[~/][^\s#$]*\s+[#$%]`), strength: 'strong', user: 2, host: 3, command: 4 },
  // root@photon-node [ ~ ]#   (VMware Photon OS)
  { re: re(String.raw`([^\s@:()]+)@([\w.-]+)\s+\[\s*[~/][^\]]*\]\s?[#$%]`), strength: 'strong', user: 2, host: 3, command: 4 },
  // bash-5.1#   sh-4.4$   bash$   -bash-4.2#  (a login shell whose profile sets no PS1: argv[0] starts with '-')
  { re: /^(-?(?:ba|z|k|da|a)?sh(?:-\d+(?:\.\d+)*)?[#$])(?:\s+(.*))?$/, strength: 'strong', command: 2 },
  // PS C:\Users\ops>   PS /home/ops>   (PowerShell, where many pastes start with `ssh user@node`)
  { re: /^(PS (?:[A-Za-z]:\\|\/)[^>]*>)(?:\s+(.*))?$/, strength: 'strong', command: 2 },
  // ➜  ~   ➜  podnet git:(main) ✗
  { re: /^(➜\s+\S+(?:\s+git:\([^)]*\))?(?:\s+✗)?)(?:\s+(.*))?$/, strength: 'strong', command: 2 },
  // ❯ cmd   λ cmd   ╰─$ cmd   (starship, pure, powerlevel10k and friends: a symbol, the directory on the line above)
  { re: /^([❯λ»➤](?=\s|$)|╰─[❯➤$#])(?:\s+(.*))?$/u, strength: 'strong', command: 2 },
  // / #   ~ $   /root #   (busybox in a pod, minimal shells)
  { re: /^([~/][^\s#$]*\s[#$%])(?:\s+(.*))?$/, strength: 'strong', command: 2 },
  // #   $   %   (bare root/user prompts)
  { re: /^([#$%])(?:\s+(.*))?$/, strength: 'weak', command: 2 },
  // ~ cmd   (zsh's minimal prompt: the directory only)
  { re: /^(~[^\s#$]*)(?:\s+(.*))?$/, strength: 'weak', command: 2 },
];

/** The prompt at the start of `line`, or null. Never throws. */
export function matchPrompt(line: string): PromptMatch | null {
  const text = line.replace(/\s+$/, '');
  if (text.length === 0 || text.length > 4000) return null;
  for (const p of PATTERNS) {
    const m = p.re.exec(text);
    if (!m) continue;
    const match: PromptMatch = {
      prompt: m[1] ?? '',
      command: (m[p.command] ?? '').trim(),
      strength: p.strength,
    };
    const user = p.user !== undefined ? m[p.user] : undefined;
    const host = p.host !== undefined ? m[p.host] : undefined;
    if (user) match.user = user;
    if (host) match.host = host;
    return match;
  }
  return null;
}

/**
 * What identifies "the same shell" across lines: user@host when the prompt
 * shows it (the directory part changes as people `cd`), else the prompt text.
 */
export function promptIdentity(p: PromptMatch): string {
  if (p.host !== undefined) return `${p.user ?? ''}@${p.host}`;
  return p.prompt;
}
