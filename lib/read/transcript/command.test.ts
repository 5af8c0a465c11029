import { describe, expect, it } from 'vitest';
import { analyseCommand, looksLikeBareCommand, looksLikeProse } from './command';

describe('analyseCommand wrappers', () => {
  it('reads kubectl exec in all its spellings', () => {
    for (const text of [
      'kubectl exec -n dev -ti web-1 -- ip addr',
      'k exec -it -n dev web-1 -- ip addr',
      'kubectl -n dev exec web-1 -c app -- ip addr',
      'kubectl exec --namespace=dev pod/web-1 -- ip addr',
      'kubectl exec -ndev web-1 ip addr',
    ]) {
      const c = analyseCommand(text);
      expect(c.target, text).toMatchObject({ kind: 'pod', namespace: 'dev', pod: 'web-1' });
      expect(c.argv, text).toEqual(['ip', 'addr']);
      expect(c.kind?.kind, text).toBe('ip-link');
    }
  });

  it('defaults the pod namespace to default and opens a session for a bare shell', () => {
    const c = analyseCommand('kubectl exec -it web-1 -- /bin/sh');
    expect(c.target).toEqual({ kind: 'pod', namespace: 'default', pod: 'web-1' });
    expect(c.opensSession).toBe(true);
    expect(analyseCommand('kubectl exec -it web-1 bash').opensSession).toBe(true);
    const shC = analyseCommand('kubectl exec web-1 -- sh -c "ip route"');
    expect(shC.opensSession).toBe(false);
    expect(shC.kind?.kind).toBe('ip-route');
  });

  it('reads kubectl debug: a node debug pod is that node\'s host netns, an ephemeral container is the pod\'s', () => {
    const node = analyseCommand('kubectl debug node/wk-2 -it --image=registry.access.redhat.com/ubi8/ubi-minimal');
    expect(node.target).toEqual({ kind: 'node', host: 'wk-2' });
    expect(node.opensSession).toBe(true);
    expect(analyseCommand('kubectl debug -it --image ubuntu node/wk-2 -- ip r').target).toEqual({ kind: 'node', host: 'wk-2' });
    expect(analyseCommand('kubectl debug -n shop -it cart-1 --image=busybox --target=app').target).toEqual({ kind: 'pod', namespace: 'shop', pod: 'cart-1' });
    expect(analyseCommand('kubectl debug cart-1 -it --image=busybox --copy-to=cart-dbg').target).toBeUndefined();
  });

  it('treats chroot /host as a shell on the same machine and says why wg output is not read', () => {
    expect(analyseCommand('chroot /host').kind).toEqual({ kind: 'shell' });
    expect(analyseCommand('chroot /host ip r').kind?.kind).toBe('ip-route');
    expect(analyseCommand('export KUBECONFIG=/etc/rancher/rke2/rke2.yaml').kind).toMatchObject({ kind: 'unsupported', reason: expect.stringContaining('shell builtin') });
    expect(analyseCommand('wg show wireguard.cali').kind).toMatchObject({ kind: 'unsupported', reason: expect.stringContaining('WireGuard') });
  });

  it('reads ip netns exec, ip -n, nsenter and docker exec', () => {
    expect(analyseCommand('ip netns exec cni-1 ip a').target).toEqual({ kind: 'netns', name: 'cni-1', via: 'ip netns exec' });
    const n = analyseCommand('ip -n cni-1 -d link show');
    expect(n.target).toEqual({ kind: 'netns', name: 'cni-1', via: 'ip -n' });
    expect(n.kind).toMatchObject({ kind: 'ip-link', addresses: false });
    expect(analyseCommand('nsenter -t 4242 -n ip r').target).toEqual({ kind: 'nsenter', pid: '4242' });
    expect(analyseCommand('nsenter --net=/var/run/netns/cni-9 ip r').target).toMatchObject({ kind: 'netns', name: 'cni-9' });
    expect(analyseCommand('docker exec -it k8s_POD_web-1_dev_0b1c_0 ip a').target).toEqual({ kind: 'pod', namespace: 'dev', pod: 'web-1' });
    expect(analyseCommand('docker exec -it c1 sh').target).toEqual({ kind: 'container', runtime: 'docker', id: 'c1' });
    expect(analyseCommand('sudo ip netns exec x ip r').target).toMatchObject({ kind: 'netns', name: 'x' });
  });
});

describe('analyseCommand kinds', () => {
  it('resolves ip object abbreviations like iproute2', () => {
    expect(analyseCommand('ip a').kind).toMatchObject({ kind: 'ip-link', addresses: true, selective: false });
    expect(analyseCommand('ip -4 a').kind).toMatchObject({ kind: 'ip-link', selective: true });
    expect(analyseCommand('ip addr show eth0').kind).toMatchObject({ kind: 'ip-link', dev: 'eth0', selective: true });
    expect(analyseCommand('ip r').kind).toMatchObject({ kind: 'ip-route' });
    expect(analyseCommand('ip ru').kind).toMatchObject({ kind: 'ip-rule' });
    expect(analyseCommand('ip n show dev flannel.1').kind).toMatchObject({ kind: 'ip-neigh', dev: 'flannel.1' });
    expect(analyseCommand('ip -j -d l').kind).toMatchObject({ kind: 'ip-link', json: true, addresses: false });
    expect(analyseCommand('ip route show table all').kind).toMatchObject({ kind: 'ip-route', table: 'all', selective: false });
    expect(analyseCommand('ip -6 route show table 100').kind).toMatchObject({ kind: 'ip-route', table: '100', family: 6 });
    expect(analyseCommand('ip netns list-id').kind).toMatchObject({ kind: 'ip-netns-list-id' });
    expect(analyseCommand('ip route get 10.0.0.1').kind?.kind).toBe('unsupported');
    expect(analyseCommand('ip link set eth0 up').kind?.kind).toBe('unsupported');
  });

  it('classifies sysfs, sysctl, kubectl and bridge commands', () => {
    expect(analyseCommand('cat /sys/class/net/eth0/iflink').kind).toEqual({ kind: 'sysfs-read', ifname: 'eth0', attr: 'iflink' });
    expect(analyseCommand('grep -l 220 /sys/class/net/veth*/ifindex').kind).toEqual({ kind: 'sysfs-grep', attr: 'ifindex', mode: 'list', value: 220, exact: false });
    expect(analyseCommand('grep -x 220 -l /sys/class/net/*/ifindex').kind).toMatchObject({ exact: true });
    expect(analyseCommand('grep . /sys/class/net/*/iflink').kind).toMatchObject({ kind: 'sysfs-grep', mode: 'values' });
    expect(analyseCommand('ls -al /sys/class/net/cni0/brif/').kind).toEqual({ kind: 'sysfs-list', ifname: 'cni0', brif: true });
    expect(analyseCommand('cat /proc/sys/net/ipv4/ip_forward').kind).toEqual({ kind: 'proc-sys', key: 'net.ipv4.ip_forward' });
    expect(analyseCommand('sysctl -n net.ipv4.ip_forward').kind).toEqual({ kind: 'sysctl', keys: ['net.ipv4.ip_forward'], valuesOnly: true });
    expect(analyseCommand('sysctl -w net.ipv4.ip_forward=1').kind?.kind).toBe('unsupported');
    expect(analyseCommand('k get po -A -owide').kind).toEqual({ kind: 'kubectl-get', resource: 'pods', allNamespaces: true, output: 'wide' });
    expect(analyseCommand('kubectl get nodes -o json').kind).toMatchObject({ resource: 'nodes', output: 'json' });
    expect(analyseCommand('kubectl describe node n1').kind).toEqual({ kind: 'kubectl-describe-node' });
    expect(analyseCommand('bridge fdb show dev flannel.1').kind).toEqual({ kind: 'bridge-fdb', json: false, dev: 'flannel.1', selective: true });
    expect(analyseCommand('route -n').kind).toEqual({ kind: 'route-n', numeric: true });
    expect(analyseCommand('ping 10.0.0.1').kind?.kind).toBe('unsupported');
    expect(analyseCommand('frobnicate').kind).toBeNull();
  });
});

describe('looksLikeBareCommand', () => {
  it('accepts commands typed without a prompt', () => {
    for (const l of ['ip route | grep -v -E "172.1(7|8)"', 'ip a', 'kubectl get pods -o wide', 'cat /sys/class/net/eth0/iflink', 'brctl show', 'exit', 'route -n', 'sysctl net.ipv4.ip_forward']) {
      expect(looksLikeBareCommand(l), l).toBe(true);
    }
  });

  it('rejects output and prose that start with a command word', () => {
    for (const l of [
      'default via 10.0.0.1 dev eth0',
      'ip addresses are assigned by the CNI.',
      'ip link is down on both nodes, what should I check?',
      'kubectl exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. Use kubectl exec [POD] -- [COMMAND] instead.',
      'route traffic through the gateway',
      'cat the file',
      '    ip a',
      'Kernel IP routing table',
    ]) {
      expect(looksLikeBareCommand(l), l).toBe(false);
    }
  });

  it('tells prose from output', () => {
    expect(looksLikeProse('And the routes (I removed the docker ones):')).toBe(true);
    expect(looksLikeProse('Here is the output of the node:')).toBe(true);
    expect(looksLikeProse('NIC statistics:')).toBe(false);
    expect(looksLikeProse('2: eth0: <BROADCAST> mtu 1500 qdisc mq state UP group default qlen 1000')).toBe(false);
  });
});
