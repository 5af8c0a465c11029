/**
 * Where a command runs: the collector's own netns, a named netns under
 * /var/run/netns (`ip -n`, `ip netns exec`), or a netns file such as docker's
 * /var/run/docker/netns/<id> (`nsenter --net=`).
 */

/** A network namespace the collector can run commands in. */
export type NetnsTarget =
  /** The namespace the collector itself runs in. */
  | { kind: 'current' }
  /** A name known to `ip netns` (a file under /var/run/netns). */
  | { kind: 'named'; name: string }
  /** Any netns file, entered with nsenter. */
  | { kind: 'path'; path: string };

/** A program and its arguments, ready for execFile. */
export interface Command {
  file: string;
  args: string[];
}

/** `ip ARGS` in the target. */
export function ipCommand(target: NetnsTarget, args: readonly string[]): Command {
  switch (target.kind) {
    case 'current':
      return { file: 'ip', args: [...args] };
    case 'named':
      return { file: 'ip', args: ['-n', target.name, ...args] };
    case 'path':
      return { file: 'nsenter', args: [`--net=${target.path}`, 'ip', ...args] };
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

/** `bridge ARGS` in the target. */
export function bridgeCommand(target: NetnsTarget, args: readonly string[]): Command {
  switch (target.kind) {
    case 'current':
      return { file: 'bridge', args: [...args] };
    case 'named':
      return { file: 'bridge', args: ['-n', target.name, ...args] };
    case 'path':
      return { file: 'nsenter', args: [`--net=${target.path}`, 'bridge', ...args] };
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

/** Any program run inside the target (`ip netns exec NAME PROGRAM ...`). */
export function execInCommand(target: NetnsTarget, file: string, args: readonly string[]): Command {
  switch (target.kind) {
    case 'current':
      return { file, args: [...args] };
    case 'named':
      return { file: 'ip', args: ['netns', 'exec', target.name, file, ...args] };
    case 'path':
      return { file: 'nsenter', args: [`--net=${target.path}`, file, ...args] };
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

/** How a person would have entered this namespace, for `source` fields and messages. */
export function describeTarget(target: NetnsTarget): string {
  switch (target.kind) {
    case 'current':
      return 'current netns';
    case 'named':
      return `/var/run/netns/${target.name}`;
    case 'path':
      return target.path;
    default: {
      const never: never = target;
      throw new Error(`unknown target ${JSON.stringify(never)}`);
    }
  }
}

/** Glob with `*` and `?` only: what netns names need, without a dependency. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
