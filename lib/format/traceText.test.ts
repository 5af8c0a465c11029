import { describe, it, expect } from 'vitest';
import { formatEncap, formatStep, formatTrace, formatTraceroute, formatVerdict } from './traceText';
import type { Hop, PacketHeaders, Trace } from '../trace/types';

const inner: PacketHeaders = { src: '10.244.1.2', dst: '10.244.2.2', protocol: 1, ttl: 64, length: 84 };
const outer: PacketHeaders = { src: '30.0.1.160', dst: '30.0.1.161', protocol: 17, ttl: 64, length: 134, dstPort: 8472 };
const vxlan = { type: 'vxlan' as const, vni: 1, outerSrc: '30.0.1.160', outerDst: '30.0.1.161', dstPort: 8472, overhead: 50 };

function hop(partial: Partial<Hop> & Pick<Hop, 'node' | 'interface' | 'steps'>): Hop {
  return {
    netns: 'host',
    pod: null,
    interfaceId: `${partial.node}/${partial.netns ?? 'host'}/${partial.interface}`,
    packet: inner,
    ...partial,
  };
}

const deliveredTrace: Trace = {
  from: { input: '10.244.1.2', ip: '10.244.1.2', pod: 'default/a', node: 'node1' },
  to: { input: '10.244.2.2', ip: '10.244.2.2', pod: 'default/b', node: 'node2' },
  size: 84,
  verdict: 'delivered',
  reason: 'reached default/b on node2',
  hops: [
    hop({
      node: 'node1',
      netns: 'cni-1',
      pod: 'default/a',
      interface: 'eth0',
      steps: [
        { action: 'originated', outcome: 'ok', detail: 'ping', packet: inner },
        {
          action: 'routed',
          outcome: 'ok',
          detail: 'longest match',
          route: '10.244.0.0/16 via 10.244.1.1 dev eth0',
          table: 'main',
          nextHop: '10.244.1.1',
          outInterface: 'eth0',
          forwarded: false,
        },
      ],
    }),
    hop({
      node: 'node1',
      interface: 'flannel.1',
      encap: vxlan,
      steps: [
        { action: 'encapsulated', outcome: 'ok', detail: 'vxlan', encap: vxlan, inner, outer },
      ],
    }),
  ],
  traceroute: ['10.244.1.1', '10.244.2.0', '10.244.2.2'],
  warnings: ['node2: rp_filter unknown'],
};

describe('formatTrace', () => {
  it('puts the verdict first, then one block per hop titled node / pod-or-host / interface', () => {
    const text = formatTrace(deliveredTrace, { readerWarnings: ['a.txt:3: line not understood'] });
    const lines = text.split('\n');
    expect(lines[0]).toBe('delivered: reached default/b on node2');
    expect(text).toContain('1. node1 / default/a / eth0');
    expect(text).toContain('2. node1 / host / flannel.1');
    expect(text).toContain('route       10.244.0.0/16 via 10.244.1.1 dev eth0 → next hop 10.244.1.1 out eth0');
    expect(text).toContain('encap       vxlan vni 1 30.0.1.160 → 30.0.1.161 udp/8472, +50 bytes');
    expect(text).toContain('traceroute: 1 10.244.1.1  2 10.244.2.0  3 10.244.2.2');
    expect(text.indexOf('traceroute:')).toBeLessThan(text.indexOf('warnings:'));
    expect(text).toContain('  - node2: rp_filter unknown');
    expect(text).toContain('  - a.txt:3: line not understood');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('names the exit node and the uncovered next hop for exits-network', () => {
    const t: Trace = {
      ...deliveredTrace,
      verdict: 'exits-network',
      reason: 'left the evidence',
      exit: { node: '10.30.180.56', interface: 'eth0', nextHop: '10.30.180.55', towards: '10.30.180.55', uncoveredNode: '10.30.180.55' },
    };
    expect(formatVerdict(t)).toBe(
      'exits-network: leaves 10.30.180.56 by eth0 towards 10.30.180.55, a node the evidence does not cover',
    );
    const unnamed: Trace = { ...t, exit: { node: 'n1', interface: 'eth0', nextHop: '10.0.0.1', towards: '0.0.0.0/0' } };
    expect(formatVerdict(unnamed)).toBe('exits-network: leaves n1 by eth0 towards 10.0.0.1 (0.0.0.0/0), which the evidence does not cover');
  });

  it('shows a drop with its reason and the step detail', () => {
    const t: Trace = { ...deliveredTrace, verdict: 'dropped', dropReason: 'mtu-exceeded', reason: '1500 > 1450 on flannel.1' };
    expect(formatVerdict(t)).toBe('dropped (mtu-exceeded): 1500 > 1450 on flannel.1');
    expect(formatStep({ action: 'dropped', outcome: 'dropped', reason: 'blackhole-route', detail: 'blackhole 10.244.7.64/26' })).toBe(
      '✗ dropped     blackhole-route: blackhole 10.244.7.64/26',
    );
  });
});

describe('formatEncap', () => {
  it('writes IPIP as outer source → outer destination', () => {
    expect(formatEncap({ type: 'ipip', outerSrc: '192.168.50.11', outerDst: '192.168.50.12', overhead: 20 })).toBe(
      'ipip 192.168.50.11 → 192.168.50.12',
    );
  });
});

describe('formatTraceroute', () => {
  it('numbers hops from 1 and keeps silent hops as *', () => {
    expect(formatTraceroute(['10.0.0.1', '*'])).toBe('traceroute: 1 10.0.0.1  2 *');
  });
});

describe('formatTrace with an endpoint that did not resolve', () => {
  it('shows what the user typed instead of an empty address', () => {
    const t: Trace = {
      ...deliveredTrace,
      from: { input: 'nosuchpod', ip: '' },
      verdict: 'insufficient-information',
      reason: 'nosuchpod is not in the evidence',
      hops: [],
      traceroute: [],
      warnings: [],
    };
    const text = formatTrace(t);
    expect(text.split('\n')[1]).toBe('  from nosuchpod to 10.244.2.2 (default/b), 84 bytes');
    expect(text).toContain('traceroute: (no hop answers)');
  });
});
