import { describe, expect, it } from 'vitest';
import { matchPrompt, promptIdentity } from './prompt';

describe('matchPrompt', () => {
  it.each([
    ['[root@vms71 ~]# ip a', '[root@vms71 ~]#', 'ip a', 'vms71', 'strong'],
    ['root@k8s-node1:~# ip route', 'root@k8s-node1:~#', 'ip route', 'k8s-node1', 'strong'],
    ['user@host:~/src$ kubectl get pods', 'user@host:~/src$', 'kubectl get pods', 'host', 'strong'],
    ['[root@pod1 /]# ip addr', '[root@pod1 /]#', 'ip addr', 'pod1', 'strong'],
    ['bash-5.1# ip r', 'bash-5.1#', 'ip r', undefined, 'strong'],
    ['PS C:\\Users\\ops> ssh ubuntu@10.20.0.21', 'PS C:\\Users\\ops>', 'ssh ubuntu@10.20.0.21', undefined, 'strong'],
    ['toolbox-58c9d7b6f4-8zkq4:~# ip a', 'toolbox-58c9d7b6f4-8zkq4:~#', 'ip a', 'toolbox-58c9d7b6f4-8zkq4', 'strong'],
    ['web:/app$ ip r', 'web:/app$', 'ip r', 'web', 'strong'],
    ['(base) user@host:~$ ip r', '(base) user@host:~$', 'ip r', 'host', 'strong'],
    ['[10:14:31] root@node1:~# ip r', '[10:14:31] root@node1:~#', 'ip r', 'node1', 'strong'],
    ['root@photon-1 [ ~ ]# ip a', 'root@photon-1 [ ~ ]#', 'ip a', 'photon-1', 'strong'],
    ['user@MacBook-Pro ~ % kubectl get po', 'user@MacBook-Pro ~ %', 'kubectl get po', 'MacBook-Pro', 'strong'],
    ['❯ ip a', '❯', 'ip a', undefined, 'strong'],
    ['╰─$ ip r', '╰─$', 'ip r', undefined, 'strong'],
    ['PS /home/ops> ip a', 'PS /home/ops>', 'ip a', undefined, 'strong'],
    ['-bash-4.2# ip route', '-bash-4.2#', 'ip route', undefined, 'strong'],
    ['sh-4.4$ ip -br a', 'sh-4.4$', 'ip -br a', undefined, 'strong'],
    ['/ # ip addr', '/ #', 'ip addr', undefined, 'strong'],
    ['~ $ k get po', '~ $', 'k get po', undefined, 'strong'],
    ['➜  ~ ip route', '➜  ~', 'ip route', undefined, 'strong'],
    ['# ip addr show dev cni0', '#', 'ip addr show dev cni0', undefined, 'weak'],
    ['$ ip netns list', '$', 'ip netns list', undefined, 'weak'],
    ['~ k get -n dev pods', '~', 'k get -n dev pods', undefined, 'weak'],
  ])('reads %j', (line, prompt, command, host, strength) => {
    const m = matchPrompt(line);
    expect(m).toMatchObject({ prompt, command, strength });
    expect(m?.host).toBe(host);
  });

  it('does not see prompts in command output', () => {
    for (const line of [
      'default via 10.0.0.1 dev eth0',
      '/sys/class/net/veth12acb4c1/ifindex',
      '2: eth0@if220: <BROADCAST,MULTICAST,UP> mtu 1500',
      'net.ipv4.ip_forward = 1',
      '    inet 10.0.0.2/24 scope global eth0',
    ]) {
      expect(matchPrompt(line), line).toBeNull();
    }
  });

  it('identifies a shell by user@host, whatever its directory', () => {
    const a = matchPrompt('[root@vms71 ~]# ls') ;
    const b = matchPrompt('[root@vms71 net]# ls');
    expect(a && promptIdentity(a)).toBe(b && promptIdentity(b));
  });
});
