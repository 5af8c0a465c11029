import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEvidence } from '../lib/read/readEvidence';
import { buildTopology } from '../lib/topology/build';
import { readConfig } from './config';
import { HttpError } from './http';
import { ingestFormat, parseIngest } from './ingest';
import { BoundedLru } from './lru';
import { toReadPreview } from './preview';

const CAPTURES = path.join(__dirname, '..', 'e2e', 'lab', 'captures', 'flannel-vxlan');

function refusal(f: () => unknown): HttpError {
  try {
    f();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('BoundedLru', () => {
  it('evicts the least recently used entry past the count bound', () => {
    const lru = new BoundedLru<string, number>(2, 1000);
    lru.set('a', 1, 1);
    lru.set('b', 2, 1);
    lru.get('a');
    lru.set('c', 3, 1);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
  });

  it('evicts by estimated bytes and never keeps a value larger than the budget', () => {
    const lru = new BoundedLru<string, string>(10, 100);
    lru.set('a', 'x', 60);
    lru.set('b', 'y', 60);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.bytes).toBe(60);
    lru.set('huge', 'z', 101);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.get('b')).toBe('y');
  });
});

describe('parseIngest', () => {
  it('maps media types to formats and refuses the rest', () => {
    expect(ingestFormat('application/json')).toBe('json');
    expect(ingestFormat('application/vnd.podnet+json')).toBe('json');
    expect(ingestFormat('text/plain')).toBe('transcript');
    expect(ingestFormat('text/html')).toBeUndefined();
  });

  it('renames the node of a JSON snapshot to ?node so the key and the document agree', () => {
    const parsed = parseIngest(readFileSync(path.join(CAPTURES, 'node1.json'), 'utf8'), 'json', { node: 'worker-a' });
    expect(parsed.node).toBe('worker-a');
    expect(parsed.snapshot.node.name).toBe('worker-a');
  });

  it('names the first bad field and lists the others', () => {
    const doc = JSON.parse(readFileSync(path.join(CAPTURES, 'node1.json'), 'utf8')) as { namespaces: Array<{ kind: string; name: string }> };
    doc.namespaces[1]!.kind = 'vm';
    doc.namespaces[2]!.name = '';
    const e = refusal(() => parseIngest(JSON.stringify(doc), 'json'));
    expect(e.status).toBe(400);
    expect(e.body.field).toBe('namespaces[1].kind');
    expect(e.body.issues?.map((i) => i.field)).toContain('namespaces[2].name');
  });

  it('refuses node names with a slash, since ids are paths', () => {
    expect(refusal(() => parseIngest('{}', 'json', { node: 'a/b' })).body.field).toBe('node');
  });
});

describe('toReadPreview', () => {
  it('lists the pods, veth pairs, bridge ports and VTEP of a lab node transcript', () => {
    const result = readEvidence(readFileSync(path.join(CAPTURES, 'node1.txt'), 'utf8'), { nodeName: 'node1' });
    const p = toReadPreview(result, buildTopology(result.snapshots), 'node1.txt');
    expect(p.nodes).toEqual(['node1']);
    expect(p.bridges).toEqual([{ id: 'node1/host/cni0', ports: expect.arrayContaining([expect.stringMatching(/^node1\/host\/veth/)]) as string[] }]);
    expect(p.bridges[0]!.ports).toHaveLength(2);
    expect(p.tunnels).toEqual([{ id: 'node1/host/flannel.1', kind: 'vxlan', vni: 1, local: '192.168.50.11', dev: 'eth0', port: 8472 }]);
    const ids = p.vethPairs.flatMap((v) => [v.a, v.b]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('server settings', () => {
  it('takes PODNET_INGEST_WORKERS as a whole count of at most 4 and refuses a typo by name', () => {
    const env = (vars: Record<string, string>): NodeJS.ProcessEnv => ({ NODE_ENV: 'test', ...vars });
    expect(readConfig(env({ PODNET_INGEST_WORKERS: '0' })).ingestWorkers).toBe(0);
    expect(readConfig(env({ PODNET_INGEST_WORKERS: '2.5' })).ingestWorkers).toBe(2);
    expect(readConfig(env({ PODNET_INGEST_WORKERS: '16' })).ingestWorkers).toBe(4);
    expect(readConfig(env({})).ingestWorkers).toBeGreaterThanOrEqual(1);
    expect(() => readConfig(env({ PODNET_INGEST_WORKERS: 'four' }))).toThrow(/PODNET_INGEST_WORKERS=four/);
  });
});
