import { describe, it, expect } from 'vitest';
import { parseFlannelSubnetEnv } from './flannelEnv';

describe('parseFlannelSubnetEnv', () => {
  it('turns FLANNEL_SUBNET (the gateway address) into the node podCIDR and keeps network and MTU', () => {
    const out = parseFlannelSubnetEnv(['FLANNEL_NETWORK=10.244.0.0/16', 'FLANNEL_SUBNET=10.244.1.1/24', 'FLANNEL_MTU=1450', 'FLANNEL_IPMASQ=true'], 3);
    expect(out.items).toEqual([{ network: '10.244.0.0/16', podCidr: '10.244.1.0/24', gateway: '10.244.1.1', mtu: 1450, ipMasq: true }]);
    expect(out.skipped).toEqual([]);
  });

  it('skips lines that are not FLANNEL_* assignments, with their line numbers', () => {
    const out = parseFlannelSubnetEnv(['cat: /run/flannel/subnet.env: No such file or directory'], 9);
    expect(out.items).toEqual([]);
    expect(out.skipped[0]?.startLine).toBe(9);
  });
});
