import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvidence } from '../read/readEvidence';
import { buildTopology } from '../topology/build';
import { formatInspect } from './inspectText';

const FILE = path.join(__dirname, '..', '..', 'e2e', 'fixtures', 'realworld', 'flannel-vxlan-vagrant-putty', 'k8s-worker1.txt');

describe('formatInspect', () => {
  it('lists a netns pasted without kubectl facts with its address, so a user can trace from it', () => {
    const result = readEvidence(readFileSync(FILE, 'utf8'), { fileName: 'k8s-worker1.txt' });
    const text = formatInspect([{ file: 'k8s-worker1.txt', result }], buildTopology(result.snapshots));
    expect(text).toContain('pods (0):');
    expect(text).toContain('namespaces without a pod name (1; trace from them as NODE/NETNS or by address):\n  k8s-worker1/cni-8e3f41a2-6c0d-95b7-d213-7a4e0c6f5b98  10.244.1.5\n');
  });
});
