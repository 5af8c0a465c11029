import { describe, expect, it } from 'vitest';
import { splitTranscript, transcriptLines } from './split';

describe('splitTranscript', () => {
  it('cuts commands and output with 1-based line ranges', () => {
    const s = splitTranscript(['~ ip route', 'default via 10.0.0.1 dev eth0', '', '# ip a', '1: lo: <LOOPBACK> mtu 65536'].join('\n'));
    expect(s.commands.map((c) => [c.line, c.endLine, c.text, c.output])).toEqual([
      [1, 2, 'ip route', ['default via 10.0.0.1 dev eth0']],
      [4, 5, 'ip a', ['1: lo: <LOOPBACK> mtu 65536']],
    ]);
  });

  it('recognises a command without a prompt right after other output', () => {
    const s = splitTranscript(['# ip addr show dev cni0', '7: cni0: <UP> mtu 1500', 'ip route | grep eth0', 'default via 10.0.0.1 dev eth0'].join('\n'));
    expect(s.commands.map((c) => c.text)).toEqual(['ip addr show dev cni0', 'ip route | grep eth0']);
  });

  it('runs commands after `kubectl exec -it POD -- sh` in the pod until exit', () => {
    const s = splitTranscript(
      ['root@n1:~# kubectl exec -it -n web app-1 -- sh', '/ # ip r', 'default via 10.0.0.1 dev eth0', '/ # exit', 'root@n1:~# ip r'].join('\n'),
    );
    expect(s.commands.map((c) => [c.text, c.scope.target.kind])).toEqual([
      ['kubectl exec -it -n web app-1 -- sh', 'pod'],
      ['ip r', 'pod'],
      ['exit', 'pod'],
      ['ip r', 'host'],
    ]);
    expect(s.promptHosts).toEqual(['n1']);
  });

  it('ends a session when the outer prompt reappears without exit', () => {
    const s = splitTranscript(['[root@n1 ~]# ip netns exec cni-1 bash', '[root@n1 ~]# ip r'].join('\n'));
    // The same prompt inside `ip netns exec bash` cannot be told apart: the netns session stays open.
    expect(s.commands[1]?.scope.target).toMatchObject({ kind: 'netns', name: 'cni-1' });
    const t = splitTranscript(['[root@n1 ~]# kubectl exec -it p -- bash', '[root@p /]# ip r', '[root@n1 ~]# ip r'].join('\n'));
    expect(t.commands.map((c) => c.scope.target.kind)).toEqual(['pod', 'pod', 'host']);
  });

  it('treats kubectl inside an open pod shell as a sign the shell was left', () => {
    const s = splitTranscript(['# kubectl exec -it p -- sh', '# kubectl get pods'].join('\n'));
    expect(s.commands[1]?.scope.target.kind).toBe('host');
    expect(s.warnings).toHaveLength(1);
  });

  it('moves an ssh session to another node', () => {
    const s = splitTranscript(['root@n1:~# ssh n2', 'root@n2:~# ip r', 'root@n2:~# exit', 'root@n1:~# ip r'].join('\n'));
    expect(s.commands.map((c) => c.scope.sshHost)).toEqual(['n2', 'n2', 'n2', undefined]);
  });

  it('joins backslash continuations and skips text before the first command', () => {
    const s = splitTranscript(['some notes', '# ip route \\', '  show table all', 'default via 10.0.0.1 dev eth0'].join('\n'));
    expect(s.commands[0]).toMatchObject({ line: 2, text: 'ip route show table all', firstOutputLine: 4 });
    expect(s.skipped).toEqual([expect.objectContaining({ startLine: 1, endLine: 1 })]);
  });

  it('removes colours, carriage returns and common indentation', () => {
    expect(transcriptLines('    \u001b[32m# ip a\u001b[0m\r\n    1: lo:')).toEqual(['# ip a', '1: lo:']);
  });
});
