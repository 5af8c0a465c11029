import { describe, expect, it } from 'vitest';
import { parseProcSysLines, sysctlFiles } from '../../collector/sysctl';
import type { Exec } from '../../collector/exec';
import { globToRegExp, ipCommand, execInCommand } from '../../collector/target';
import { captureTranscript, transcriptSteps } from '../../collector/transcript';
import { kernelHops, mapLimit, parseTraceroute, pingPayload, trimTrailingStars } from './probe';

describe('traceroute output parsing', () => {
  it('reads addresses, silent hops and ICMP error annotations', () => {
    const out = [
      'traceroute to 10.244.2.2 (10.244.2.2), 8 hops max, 1450 byte packets',
      ' 1  10.244.1.1  0.061 ms',
      ' 2  10.244.1.1  0.020 ms !F-1400',
      ' 3  *',
      ' 4  10.244.2.2  0.120 ms !H',
    ].join('\n');
    expect(parseTraceroute(out)).toEqual([
      { ttl: 1, address: '10.244.1.1' },
      { ttl: 2, address: '10.244.1.1', annotation: '!F-1400' },
      { ttl: 3, address: '*' },
      { ttl: 4, address: '10.244.2.2', annotation: '!H' },
    ]);
  });

  it('counts an ICMP error line as no answer and drops the trailing silence', () => {
    expect(
      kernelHops([
        { ttl: 1, address: '10.244.3.1' },
        { ttl: 2, address: '10.244.1.0' },
        { ttl: 3, address: '10.244.1.0', annotation: '!H' },
        { ttl: 4, address: '*' },
      ]),
    ).toEqual(['10.244.3.1', '10.244.1.0']);
    expect(trimTrailingStars(['*', '*'])).toEqual([]);
    expect(trimTrailingStars(['10.0.0.1', '*', '10.0.0.2', '*'])).toEqual(['10.0.0.1', '*', '10.0.0.2']);
  });

  it('turns a total packet size into ping payload bytes', () => {
    expect(pingPayload(84)).toBe(56);
    expect(pingPayload(1450)).toBe(1422);
  });
});

describe('collector command building', () => {
  it('enters a named netns with ip -n and a netns file with nsenter, never through a shell', () => {
    expect(ipCommand({ kind: 'named', name: 'cni-1; rm -rf /' }, ['-j', 'addr', 'show'])).toEqual({
      file: 'ip',
      args: ['-n', 'cni-1; rm -rf /', '-j', 'addr', 'show'],
    });
    expect(ipCommand({ kind: 'path', path: '/var/run/docker/netns/0a1b2c3d4e5f' }, ['-j', 'link'])).toEqual({
      file: 'nsenter',
      args: ['--net=/var/run/docker/netns/0a1b2c3d4e5f', 'ip', '-j', 'link'],
    });
    expect(execInCommand({ kind: 'current' }, 'grep', ['-H', ''])).toEqual({ file: 'grep', args: ['-H', ''] });
  });

  it('matches netns names with * and ? globs, treating dots literally', () => {
    const re = globToRegExp('lab1-node1-*');
    expect(re.test('lab1-node1-default_web-a')).toBe(true);
    expect(re.test('lab1-node10')).toBe(false);
    expect(globToRegExp('a.b?').test('axbc')).toBe(false);
    expect(globToRegExp('a.b?').test('a.bc')).toBe(true);
  });

  it('reads /proc/sys values into sysctl keys, keeping dots of interface names', () => {
    const out = ['/proc/sys/net/ipv4/ip_forward:1', '/proc/sys/net/ipv4/conf/flannel.1/rp_filter:2', 'grep: /proc/sys/x: No such file'].join('\n');
    expect(parseProcSysLines(out)).toEqual({ 'net.ipv4.ip_forward': '1', 'net.ipv4.conf.flannel.1.rp_filter': '2' });
  });

  it('asks for ip_forward, rp_filter of all and of each interface, and skips names that would escape /proc', () => {
    const files = sysctlFiles(['eth0', 'flannel.1', '..']);
    expect(files).toContain('/proc/sys/net/ipv4/ip_forward');
    expect(files).toContain('/proc/sys/net/ipv4/conf/all/rp_filter');
    expect(files).toContain('/proc/sys/net/ipv4/conf/eth0/rp_filter');
    expect(files).toContain('/proc/sys/net/ipv4/conf/flannel.1/rp_filter');
    expect(files.some((f) => f.includes('/../'))).toBe(false);
  });
});

describe('transcript capture', () => {
  it('writes each command after a root prompt, pods through ip netns exec, as a person would paste it', async () => {
    const seen: string[] = [];
    const exec: Exec = async (file, args) => {
      seen.push([file, ...args].join(' '));
      if (args.includes('sysctl')) return { stdout: 'net.ipv4.ip_forward = 1\n', stderr: '', code: 0 };
      if (file === 'bridge') return { stdout: '', stderr: 'Error: bridge not found\n', code: 1 };
      return { stdout: `out of ${args.slice(2).join(' ')}`, stderr: '', code: 0 };
    };
    const text = await captureTranscript({ nodeName: 'node1', hostNetns: 'lab-node1', podNetns: ['lab-node1-default_web-a'], exec });
    const lines = text.split('\n');
    expect(lines[0]).toBe('root@node1:~# ip addr');
    expect(lines[1]).toBe('out of addr');
    expect(text).toContain('root@node1:~# bridge fdb show\nError: bridge not found\n');
    expect(text).toContain('root@node1:~# sysctl net.ipv4.ip_forward\nnet.ipv4.ip_forward = 1\n');
    expect(text).toContain('root@node1:~# ip netns exec lab-node1-default_web-a ip route\n');
    expect(seen).toContain('ip -n lab-node1 route show table all');
    expect(seen).toContain('ip netns exec lab-node1 sysctl net.ipv4.ip_forward');
    expect(transcriptSteps(undefined, []).map((s) => s.typed)).toEqual([
      'ip addr',
      'ip -d link show',
      'ip route show table all',
      'ip rule',
      'ip neigh',
      'bridge fdb show',
      'sysctl net.ipv4.ip_forward',
      'iptables-save',
    ]);
  });
});

describe('bounded concurrency', () => {
  it('keeps results in input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
