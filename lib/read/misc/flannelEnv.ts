/**
 * `cat /run/flannel/subnet.env`: the file flanneld writes for the CNI plugin.
 * FLANNEL_SUBNET is this node's podCIDR (written as the bridge's gateway
 * address, `10.244.1.1/24`), FLANNEL_NETWORK the cluster's pod network and
 * FLANNEL_MTU the MTU pods get. Cheap, and the most direct statement of the
 * node's podCIDR a transcript can hold.
 */
import { formatPrefix, parsePrefix } from '../../net/ip';
import type { ParseOutput } from '../types';
import { skipLine } from './lineText';

/** What subnet.env says. */
export interface FlannelSubnetEnv {
  /** FLANNEL_SUBNET as a network prefix (`10.244.1.0/24`). */
  podCidr?: string;
  /** FLANNEL_SUBNET's address: the gateway pods use (`10.244.1.1`). */
  gateway?: string;
  network?: string;
  mtu?: number;
  ipMasq?: boolean;
}

/** Parses the KEY=VALUE lines of subnet.env. Never throws. */
export function parseFlannelSubnetEnv(lines: readonly string[], firstLine: number): ParseOutput<FlannelSubnetEnv> {
  const out: ParseOutput<FlannelSubnetEnv> = { items: [], warnings: [], skipped: [] };
  const env: FlannelSubnetEnv = {};
  let any = false;
  for (let i = 0; i < lines.length; i++) {
    const line = firstLine + i;
    const text = (lines[i] ?? '').replace(/\r/g, '').trim();
    if (text === '' || text.startsWith('#')) continue;
    const m = /^(?:export\s+)?(FLANNEL_\w+)=["']?([^"'\s]*)["']?$/.exec(text);
    if (!m) {
      out.skipped.push(skipLine(line, text, 'not a FLANNEL_*=value line'));
      continue;
    }
    const [, key, value = ''] = m;
    switch (key) {
      case 'FLANNEL_SUBNET': {
        const p = parsePrefix(value, 4);
        const ip = value.split('/')[0] ?? '';
        if (p === null || !value.includes('/')) {
          out.skipped.push(skipLine(line, text, `FLANNEL_SUBNET "${value.slice(0, 60)}" is not ADDRESS/LENGTH`));
          continue;
        }
        env.podCidr = formatPrefix(p);
        env.gateway = ip;
        any = true;
        break;
      }
      case 'FLANNEL_NETWORK': {
        const p = parsePrefix(value, 4);
        if (p !== null) {
          env.network = formatPrefix(p);
          any = true;
        } else out.skipped.push(skipLine(line, text, `FLANNEL_NETWORK "${value.slice(0, 60)}" is not a prefix`));
        break;
      }
      case 'FLANNEL_MTU':
        if (/^\d{2,6}$/.test(value)) {
          env.mtu = Number(value);
          any = true;
        } else out.skipped.push(skipLine(line, text, 'FLANNEL_MTU is not a number'));
        break;
      case 'FLANNEL_IPMASQ':
        env.ipMasq = value === 'true';
        any = true;
        break;
      default:
        // FLANNEL_IPV6_NETWORK and friends: not used for IPv4 tracing.
        break;
    }
  }
  if (any) out.items.push(env);
  return out;
}
