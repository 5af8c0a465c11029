/**
 * Keeps openapi/openapi.json true: every route file's methods are
 * documented, every documented path has a route file, and answers of a
 * running server validate against the documented schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore } from './store';
import { REPO_ROOT, removeDir, startNextServer, type RunningServer } from './testing/nextServer';

interface OpenApiDoc {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
}

const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, 'openapi', 'openapi.json'), 'utf8')) as OpenApiDoc;
const API_DIR = path.join(REPO_ROOT, 'app', 'api');
/** Routes documented elsewhere (none: every route is in the document). */
const NOT_OURS: RegExp[] = [];
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return routeFiles(p);
    return /^route\.(ts|js|tsx)$/.test(e.name) ? [p] : [];
  });
}

function apiPathOf(file: string): string {
  const rel = path.relative(path.join(REPO_ROOT, 'app'), path.dirname(file)).split(path.sep);
  return `/${rel.map((seg) => seg.replace(/^\[(.+)\]$/, '{$1}')).join('/')}`;
}

function exportedMethods(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return HTTP_METHODS.filter((m) => new RegExp(`export\\s+(async\\s+)?function\\s+${m}\\b|export\\s+const\\s+${m}\\b`).test(text));
}

describe('OpenAPI document', () => {
  const routes = routeFiles(API_DIR)
    .map((f) => ({ file: f, path: apiPathOf(f), methods: exportedMethods(f) }))
    .filter((r) => !NOT_OURS.some((re) => re.test(r.path)));

  it('documents every method of every route file', () => {
    expect(routes.length).toBeGreaterThan(10);
    const undocumented = routes.flatMap((r) => r.methods.filter((m) => doc.paths[r.path]?.[m.toLowerCase()] === undefined).map((m) => `${m} ${r.path}`));
    expect(undocumented).toEqual([]);
  });

  it('has a route file exporting every documented operation', () => {
    const byPath = new Map(routes.map((r) => [r.path, r.methods]));
    const phantom = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops)
        .filter((m) => HTTP_METHODS.includes(m.toUpperCase()) && !(byPath.get(p) ?? []).includes(m.toUpperCase()))
        .map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(phantom).toEqual([]);
  });
});

describe('answers of a running server match the documented schemas', () => {
  let server: RunningServer;
  let dataDir: string;
  let token: string;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: 'openapi.json', components: doc.components });

  function check(p: string, method: string, status: number, body: unknown): void {
    const media = doc.paths[p]?.[method]?.responses[String(status)]?.content?.['application/json'];
    expect(media, `${method.toUpperCase()} ${p} ${status} is documented`).toBeDefined();
    const schema = JSON.parse(JSON.stringify(media!.schema).replaceAll('"#/components/', '"openapi.json#/components/')) as object;
    const validate = ajv.compile(schema);
    const ok = validate(body);
    expect(ok ? [] : validate.errors, `${method.toUpperCase()} ${p} ${status}`).toEqual([]);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'podnet-openapi-'));
    server = await startNextServer(inject('podnetAppDir'), { PODNET_DATA_DIR: dataDir });
    const store = await openStore({ databaseUrl: null, dataDir });
    try {
      token = (await store.createToken('demo')).token;
    } finally {
      await store.close();
    }
  });

  afterAll(async () => {
    await server?.stop();
    removeDir(dataDir);
  });

  const call = async (method: 'get' | 'post', docPath: string, url: string, init: RequestInit = {}): Promise<void> => {
    const res = await fetch(`${server.url}${url}`, { method: method.toUpperCase(), ...init });
    check(docPath, method, res.status, await res.json());
  };

  it('validates reads of the demo cluster', async () => {
    await call('get', '/api/v1/healthz', '/api/v1/healthz');
    await call('get', '/api/v1/clusters', '/api/v1/clusters');
    await call('get', '/api/v1/clusters/{cluster}', '/api/v1/clusters/demo');
    await call('get', '/api/v1/clusters/{cluster}/revision', '/api/v1/clusters/demo/revision');
    await call('get', '/api/v1/revision', '/api/v1/revision?cluster=demo');
    await call('get', '/api/v1/clusters/{cluster}/nodes', '/api/v1/clusters/demo/nodes?at=2');
    await call('get', '/api/v1/clusters/{cluster}/nodes/{node}/snapshots', '/api/v1/clusters/demo/nodes/node1/snapshots');
    await call('get', '/api/v1/clusters/{cluster}/snapshots/{id}', '/api/v1/clusters/demo/snapshots/1');
    await call('get', '/api/v1/clusters/{cluster}/topology', '/api/v1/clusters/demo/topology');
    await call('get', '/api/v1/clusters/{cluster}/trace', '/api/v1/clusters/demo/trace?from=10.244.1.2&to=10.244.3.3&size=1400');
    await call('get', '/api/v1/clusters/{cluster}/trace', '/api/v1/clusters/demo/trace?from=10.244.1.2');
    await call('get', '/api/v1/clusters/{cluster}/topology', '/api/v1/clusters/nope/topology');
    await call('get', '/api/v1/clusters/{cluster}/graph', '/api/v1/clusters/demo/graph?expand=node1&focus=web-node2-a');
  });

  it('validates writes, previews and a diff', async () => {
    const doc1 = JSON.parse(readFileSync(path.join(REPO_ROOT, 'e2e/lab/captures/flannel-vxlan/node1.json'), 'utf8')) as { collectedAt: string; namespaces: Array<{ routes?: unknown[] }> };
    doc1.collectedAt = new Date(Date.parse(doc1.collectedAt) + 1000).toISOString();
    doc1.namespaces[0]!.routes = doc1.namespaces[0]!.routes!.slice(1);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await call('post', '/api/v1/clusters/{cluster}/snapshots', '/api/v1/clusters/demo/snapshots', { headers: auth, body: JSON.stringify(doc1) });
    await call('post', '/api/v1/clusters/{cluster}/snapshots', '/api/v1/clusters/demo/snapshots', { headers: auth, body: '{"apiVersion": 2}' });
    await call('post', '/api/v1/clusters/{cluster}/snapshots', '/api/v1/clusters/demo/snapshots', { body: '{}', headers: { 'content-type': 'application/json' } });
    await call('post', '/api/v1/clusters/{cluster}/snapshots', '/api/v1/clusters/demo/snapshots', { headers: { ...auth, 'content-type': 'image/png' }, body: 'x' });
    await call('get', '/api/v1/clusters/{cluster}/nodes/{node}/diff', '/api/v1/clusters/demo/nodes/node1/diff?from=1&to=4');
    const transcript = readFileSync(path.join(REPO_ROOT, 'e2e/lab/captures/flannel-vxlan/node3.txt'), 'utf8');
    await call('post', '/api/v1/read', '/api/v1/read?fileName=node3.txt', { headers: { 'content-type': 'text/plain' }, body: transcript });
  });
});
