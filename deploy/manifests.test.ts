/**
 * Checks of deploy/: every Kubernetes manifest against the API schemas
 * (kubernetes-models) and, for unknown or misspelt fields, against the
 * declared properties of each API type (read with the TypeScript checker from
 * kubernetes-models' declarations); the security properties the manifests
 * promise; and the Dockerfiles against the repository they are built from.
 * No cluster and no Docker engine are needed.
 */
import { describe, it, expect } from 'vitest';
import { SERVER_V8_FLAGS, serverNodeOptions } from '../scripts/server-node-options.mjs';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import ts from 'typescript';
import { build } from 'esbuild';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';

const ROOT = path.resolve(import.meta.dirname, '..');
const K8S_DIR = path.join(ROOT, 'deploy', 'kubernetes');
const NAMESPACE = 'podnet';

// ---------------------------------------------------------------------------
// Loading

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

interface Manifest {
  file: string;
  index: number;
  obj: Obj;
}

function isObj(v: Json | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: Json | undefined, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what}: expected an object, got ${JSON.stringify(v)}`);
  return v;
}

function arr(v: Json | undefined, what: string): Json[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${what}: expected a list, got ${JSON.stringify(v)}`);
  return v;
}

function objs(v: Json | undefined, what: string): Obj[] {
  return arr(v, what).map((x, i) => obj(x, `${what}[${i}]`));
}

function str(v: Json | undefined, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

const yamlFiles = readdirSync(K8S_DIR)
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
  .sort();

function loadFile(file: string): { manifests: Manifest[]; problems: string[] } {
  const text = readFileSync(path.join(K8S_DIR, file), 'utf8');
  const problems: string[] = [];
  const manifests: Manifest[] = [];
  const docs12 = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  // Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml), where `0400`, `yes` or `on`
  // are not what YAML 1.2 says; both readings must agree.
  const docs11 = parseAllDocuments(text, { version: '1.1', uniqueKeys: true });
  if (!Array.isArray(docs12) || !Array.isArray(docs11)) return { manifests, problems: [`${file}: not a YAML stream`] };
  docs12.forEach((doc, index) => {
    for (const e of [...doc.errors, ...doc.warnings]) problems.push(`${file} document ${index + 1}: ${e.message}`);
    const value = doc.toJS() as Json;
    if (value === null) return;
    const as11 = docs11[index]?.toJS() as Json;
    if (JSON.stringify(as11) !== JSON.stringify(value)) problems.push(`${file} document ${index + 1}: YAML 1.1 (Kubernetes) and 1.2 read it differently`);
    if (!isObj(value)) {
      problems.push(`${file} document ${index + 1}: not a mapping`);
      return;
    }
    manifests.push({ file, index, obj: value });
  });
  return { manifests, problems };
}

const loaded = yamlFiles.map(loadFile);
const all: Manifest[] = loaded.flatMap((l) => l.manifests);
const loadProblems = loaded.flatMap((l) => l.problems);

function kindOf(m: Manifest): string {
  return `${String(m.obj.apiVersion)}/${String(m.obj.kind)}`;
}

function nameOf(m: Manifest): string {
  return String(obj(m.obj.metadata, `${m.file} metadata`).name);
}

function find(file: string, kind: string, name?: string): Obj {
  const hits = all.filter((m) => m.file === file && m.obj.kind === kind && (name === undefined || nameOf(m) === name));
  if (hits.length !== 1) throw new Error(`${file}: expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length}`);
  return (hits[0] as Manifest).obj;
}

function rawText(file: string): string {
  return readFileSync(path.join(K8S_DIR, file), 'utf8');
}

// ---------------------------------------------------------------------------
// Schemas: kubernetes-models validation, and unknown keys from the declared types

interface KindInfo {
  /** Validates against the OpenAPI schema; throws naming the bad path. */
  validate: (o: Obj) => void;
  /** Declaration file and interface of the kind in kubernetes-models. */
  dts: string;
  iface: string;
}

function modelKind(Model: new (data: never) => { validate(): void }, dts: string, iface: string): KindInfo {
  return { validate: (o) => new Model(o as never).validate(), dts: path.join(ROOT, 'node_modules', 'kubernetes-models', dts), iface };
}

const KINDS: Record<string, KindInfo> = {
  'v1/Namespace': modelKind(Namespace, 'v1/Namespace.d.ts', 'INamespace'),
  'v1/ServiceAccount': modelKind(ServiceAccount, 'v1/ServiceAccount.d.ts', 'IServiceAccount'),
  'v1/ConfigMap': modelKind(ConfigMap, 'v1/ConfigMap.d.ts', 'IConfigMap'),
  'v1/Secret': modelKind(Secret, 'v1/Secret.d.ts', 'ISecret'),
  'v1/Service': modelKind(Service, 'v1/Service.d.ts', 'IService'),
  'v1/PersistentVolumeClaim': modelKind(PersistentVolumeClaim, 'v1/PersistentVolumeClaim.d.ts', 'IPersistentVolumeClaim'),
  'apps/v1/DaemonSet': modelKind(DaemonSet, 'apps/v1/DaemonSet.d.ts', 'IDaemonSet'),
  'apps/v1/Deployment': modelKind(Deployment, 'apps/v1/Deployment.d.ts', 'IDeployment'),
  'rbac.authorization.k8s.io/v1/ClusterRole': modelKind(ClusterRole, 'rbac.authorization.k8s.io/v1/ClusterRole.d.ts', 'IClusterRole'),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': modelKind(ClusterRoleBinding, 'rbac.authorization.k8s.io/v1/ClusterRoleBinding.d.ts', 'IClusterRoleBinding'),
};

const KUSTOMIZATION_KEYS = new Set(['apiVersion', 'kind', 'resources', 'images']);

let declared: { checker: ts.TypeChecker; types: Map<string, ts.Type> } | undefined;

/** The declared type of each kind, read once with the TypeScript checker. */
function declaredTypes(): { checker: ts.TypeChecker; types: Map<string, ts.Type> } {
  if (declared) return declared;
  const program = ts.createProgram(
    Object.values(KINDS).map((k) => k.dts),
    { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, skipLibCheck: true, types: [] },
  );
  const checker = program.getTypeChecker();
  const types = new Map<string, ts.Type>();
  for (const [kind, info] of Object.entries(KINDS)) {
    const source = program.getSourceFile(info.dts);
    if (!source) throw new Error(`kubernetes-models declarations missing: ${info.dts}`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    const iface = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === info.iface);
    if (!iface) throw new Error(`${info.dts} does not export ${info.iface}`);
    types.set(kind, checker.getDeclaredTypeOfSymbol(iface));
  }
  declared = { checker, types };
  return declared;
}

/** Every key of `value` that `type` does not declare, with its path. */
function unknownKeys(checker: ts.TypeChecker, value: Json, type: ts.Type, at: string, out: string[]): void {
  const t = checker.getNonNullableType(type);
  if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
  const members = t.isUnion() ? t.types : [t];
  if (Array.isArray(value)) {
    const element = members.filter((m) => checker.isArrayType(m)).map((m) => checker.getTypeArguments(m as ts.TypeReference)[0]);
    const el = element[0];
    if (el === undefined) {
      out.push(`${at}: a list where the schema has no list`);
      return;
    }
    value.forEach((v, i) => unknownKeys(checker, v, el, `${at}[${i}]`, out));
    return;
  }
  if (!isObj(value)) return;
  const objects = members.filter((m) => m.flags & ts.TypeFlags.Object && !checker.isArrayType(m));
  if (objects.length === 0) {
    out.push(`${at}: an object where the schema has ${checker.typeToString(t)}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const prop = objects.map((o) => o.getProperty(key)).find((p) => p !== undefined);
    if (prop) {
      unknownKeys(checker, v, checker.getTypeOfSymbol(prop), `${at}.${key}`, out);
      continue;
    }
    const index = objects.map((o) => checker.getIndexInfoOfType(o, ts.IndexKind.String)).find((x) => x !== undefined);
    if (index) {
      unknownKeys(checker, v, index.type, `${at}.${key}`, out);
      continue;
    }
    const known = objects.flatMap((o) => o.getProperties().map((p) => p.name));
    out.push(`${at}.${key}: unknown field (known here: ${known.join(', ')})`);
  }
}

describe('Kubernetes manifests', () => {
  it('parse as YAML without errors, and Kubernetes (YAML 1.1) reads them as this test does (1.2)', () => {
    expect(yamlFiles.length).toBeGreaterThan(0);
    expect(loadProblems).toEqual([]);
  });

  it('are each a known kind that passes the Kubernetes OpenAPI schema', () => {
    const failures: string[] = [];
    for (const m of all) {
      if (m.obj.kind === 'Kustomization') continue;
      const info = KINDS[kindOf(m)];
      if (!info) {
        failures.push(`${m.file} document ${m.index + 1}: no schema known for ${kindOf(m)}`);
        continue;
      }
      try {
        info.validate(m.obj);
      } catch (err) {
        failures.push(`${m.file} ${kindOf(m)} ${nameOf(m)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('use no field the API types do not declare (typos would be dropped silently by the API server)', () => {
    const { checker, types } = declaredTypes();
    const found: string[] = [];
    for (const m of all) {
      if (m.obj.kind === 'Kustomization') {
        for (const key of Object.keys(m.obj)) if (!KUSTOMIZATION_KEYS.has(key)) found.push(`${m.file}: .${key}: not a key this kustomization is meant to use`);
        continue;
      }
      const type = types.get(kindOf(m));
      if (type) unknownKeys(checker, m.obj, type, `${m.file} ${String(m.obj.kind)} ${nameOf(m)}`, found);
    }
    expect(found).toEqual([]);
  }, 60_000);

  it('would report a misspelt field: the unknown-key walk is not vacuous', () => {
    const { checker, types } = declaredTypes();
    const ds = structuredClone(find('collector.yaml', 'DaemonSet'));
    const spec = obj(obj(obj(ds.spec, 'spec').template, 'template').spec, 'pod spec');
    spec.hostNetwrok = true;
    const container = obj(arr(spec.containers, 'containers')[0], 'container');
    obj(container.securityContext, 'securityContext').readOnlyRootFileSystem = true;
    const fieldRef = obj(obj(objs(container.env, 'env')[0]?.valueFrom, 'valueFrom').fieldRef, 'fieldRef');
    fieldRef.fieldpath = fieldRef.fieldPath ?? null;
    delete fieldRef.fieldPath;
    obj(objs(spec.volumes, 'volumes')[0]?.hostPath, 'hostPath').tpye = 'Directory';
    const found: string[] = [];
    unknownKeys(checker, ds, types.get('apps/v1/DaemonSet') as ts.Type, 'ds', found);
    expect(found.sort()).toEqual([
      expect.stringMatching(/^ds\.spec\.template\.spec\.containers\[0\]\.env\[0\]\.valueFrom\.fieldRef\.fieldpath: unknown field/),
      expect.stringMatching(/^ds\.spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFileSystem: unknown field/),
      expect.stringMatching(/^ds\.spec\.template\.spec\.hostNetwrok: unknown field/),
      expect.stringMatching(/^ds\.spec\.template\.spec\.volumes\[0\]\.hostPath\.tpye: unknown field/),
    ]);
  }, 60_000);

  it('put every namespaced object in the podnet namespace', () => {
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'Kustomization']);
    const wrong = all
      .filter((m) => !clusterScoped.has(String(m.obj.kind)))
      .filter((m) => obj(m.obj.metadata, 'metadata').namespace !== NAMESPACE)
      .map((m) => `${m.file} ${String(m.obj.kind)} ${nameOf(m)}`);
    expect(wrong).toEqual([]);
    expect(nameOf({ file: 'namespace.yaml', index: 0, obj: find('namespace.yaml', 'Namespace') })).toBe(NAMESPACE);
  });

  it('kustomization applies every manifest except the Secret template and the PostgreSQL alternative', () => {
    const k = find('kustomization.yaml', 'Kustomization');
    const resources = arr(k.resources, 'resources').map((r) => str(r, 'resource'));
    for (const r of resources) expect(existsSync(path.join(K8S_DIR, r)), r).toBe(true);
    const expected = yamlFiles.filter((f) => !['kustomization.yaml', 'secret.example.yaml', 'dashboard-postgres.yaml'].includes(f));
    expect([...resources].sort()).toEqual(expected);
    expect(resources).not.toContain('secret.example.yaml');
  });

  it('name images the kustomization can retarget, tagged with the package version', () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const images = objs(find('kustomization.yaml', 'Kustomization').images, 'images');
    const used = workloads().flatMap((w) => podContainers(w.obj).map((c) => str(c.image, 'image')));
    for (const image of used) {
      const [name, tag] = image.split(':');
      expect(tag, image).toBe(version);
      expect(images.some((i) => i.name === name && i.newTag === version), image).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------
// Workload helpers

function workloads(): Manifest[] {
  return all.filter((m) => m.obj.kind === 'DaemonSet' || m.obj.kind === 'Deployment');
}

function podSpec(w: Obj): Obj {
  return obj(obj(obj(w.spec, 'spec').template, 'template').spec, 'pod spec');
}

function podContainers(w: Obj): Obj[] {
  return objs(podSpec(w).containers, 'containers');
}

function onlyContainer(w: Obj): Obj {
  const cs = podContainers(w);
  expect(cs).toHaveLength(1);
  return cs[0] as Obj;
}

function envVar(c: Obj, name: string): Obj | undefined {
  return objs(c.env, 'env').find((e) => e.name === name);
}

function volumes(w: Obj): Obj[] {
  return objs(podSpec(w).volumes, 'volumes');
}

function volume(w: Obj, name: string): Obj {
  const v = volumes(w).find((x) => x.name === name);
  if (!v) throw new Error(`no volume ${name}`);
  return v;
}

function mounts(c: Obj): Obj[] {
  return objs(c.volumeMounts, 'volumeMounts');
}

function mountAt(c: Obj, mountPath: string): Obj | undefined {
  return mounts(c).find((m) => m.mountPath === mountPath);
}

/** The Secret template's keys, by Secret name. */
function secretKeys(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of all.filter((x) => x.obj.kind === 'Secret')) out.set(nameOf(m), new Set(Object.keys(obj(m.obj.stringData, 'stringData'))));
  return out;
}

const collector = (): Obj => find('collector.yaml', 'DaemonSet', 'podnet-collector');
const dashboards = (): { file: string; w: Obj }[] => ['dashboard.yaml', 'dashboard-postgres.yaml'].map((file) => ({ file, w: find(file, 'Deployment', 'podnet') }));

describe('workloads, whatever they run', () => {
  it('mount only volumes they define and define only volumes they mount', () => {
    for (const w of workloads()) {
      const defined = volumes(w.obj).map((v) => str(v.name, 'volume name'));
      const mounted = podContainers(w.obj).flatMap((c) => mounts(c).map((m) => str(m.name, 'mount name')));
      expect(new Set(mounted), `${w.file}`).toEqual(new Set(defined));
    }
  });

  it('reference only Secret keys and ConfigMap keys that the manifests define', () => {
    const secrets = secretKeys();
    const configMaps = new Map(all.filter((m) => m.obj.kind === 'ConfigMap').map((m) => [nameOf(m), new Set(Object.keys(obj(m.obj.data, 'data')))]));
    const missing: string[] = [];
    for (const w of workloads()) {
      for (const c of podContainers(w.obj)) {
        for (const e of objs(c.env, 'env')) {
          const from = isObj(e.valueFrom) ? e.valueFrom : undefined;
          if (isObj(from?.secretKeyRef)) {
            const { name, key } = from.secretKeyRef;
            if (!secrets.get(String(name))?.has(String(key))) missing.push(`${w.file}: secret ${String(name)} key ${String(key)}`);
          }
          if (isObj(from?.configMapKeyRef)) {
            const { name, key } = from.configMapKeyRef;
            if (!configMaps.get(String(name))?.has(String(key))) missing.push(`${w.file}: configmap ${String(name)} key ${String(key)}`);
          }
        }
      }
      for (const v of volumes(w.obj)) {
        if (!isObj(v.secret)) continue;
        for (const item of objs(v.secret.items, 'items')) {
          if (!secrets.get(String(v.secret.secretName))?.has(String(item.key))) missing.push(`${w.file}: secret ${String(v.secret.secretName)} key ${String(item.key)}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('expand only $(VARS) their container defines', () => {
    for (const w of workloads()) {
      for (const c of podContainers(w.obj)) {
        const words = [...arr(c.command, 'command'), ...arr(c.args, 'args')].map((x) => str(x, 'word'));
        for (const ref of words.flatMap((word) => [...word.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].map((m) => m[1] ?? ''))) {
          expect(envVar(c, ref), `${w.file}: $(${ref})`).toBeDefined();
        }
      }
    }
  });

  it('drop every capability, never run privileged, and keep the root filesystem read-only', () => {
    for (const w of workloads()) {
      for (const c of podContainers(w.obj)) {
        const sc = obj(c.securityContext, `${w.file} securityContext`);
        expect(sc.privileged, w.file).toBe(false);
        expect(sc.allowPrivilegeEscalation, w.file).toBe(false);
        expect(sc.readOnlyRootFilesystem, w.file).toBe(true);
        expect(obj(sc.capabilities, 'capabilities').drop, w.file).toEqual(['ALL']);
        expect(obj(obj(podSpec(w.obj).securityContext, 'pod securityContext').seccompProfile, 'seccompProfile').type, w.file).toBe('RuntimeDefault');
      }
    }
  });
});

describe('collector DaemonSet', () => {
  it('shares the node network namespace but not its PID namespace, and resolves cluster DNS names', () => {
    const spec = podSpec(collector());
    expect(spec.hostNetwork).toBe(true);
    // Pod netns are reached by path, never /proc/<pid>/ns/net (collector/target.ts).
    expect(spec.hostPID).not.toBe(true);
    expect(spec.hostIPC).not.toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(readFileSync(path.join(ROOT, 'collector', 'target.ts'), 'utf8')).not.toMatch(/\/proc\/\$\{|\/proc\/\d|ns\/net/);
  });

  it('tolerates every taint, so control-plane and tainted nodes get a collector too', () => {
    const tolerations = objs(podSpec(collector()).tolerations, 'tolerations');
    expect(tolerations).toContainEqual({ operator: 'Exists' });
  });

  it('adds exactly SYS_ADMIN and NET_BROADCAST, each added capability justified in a comment', () => {
    const sc = obj(onlyContainer(collector()).securityContext, 'securityContext');
    const added = arr(obj(sc.capabilities, 'capabilities').add, 'add');
    expect(added).toEqual(['SYS_ADMIN', 'NET_BROADCAST']);
    const text = rawText('collector.yaml');
    for (const cap of added) expect(text).toMatch(new RegExp(`#\\s*${String(cap)}: \\S`));
    // Runs as root only because setns needs the capability in the effective set.
    expect(sc.runAsUser).toBe(0);
  });

  it('mounts the containerd/CRI-O and docker netns directories read-only with host-to-container propagation', () => {
    const w = collector();
    const c = onlyContainer(w);
    for (const dir of ['/var/run/netns', '/var/run/docker/netns']) {
      const m = mountAt(c, dir);
      expect(m, dir).toBeDefined();
      expect(m?.readOnly, dir).toBe(true);
      expect(m?.mountPropagation, dir).toBe('HostToContainer');
      expect(obj(volume(w, str(m?.name, 'name')).hostPath, 'hostPath').path, dir).toBe(dir);
    }
    // The same directories the collector scans (collector/collect.ts).
    const collect = readFileSync(path.join(ROOT, 'collector', 'collect.ts'), 'utf8');
    expect(collect).toContain("'/var/run/docker/netns'");
    expect(readFileSync(path.join(ROOT, 'collector', 'target.ts'), 'utf8')).toContain('/var/run/netns/');
  });

  it('keeps the spool on the node (hostPath), where it outlives the pod', () => {
    const w = collector();
    const c = onlyContainer(w);
    const command = arr(c.command, 'command').map((x) => str(x, 'word'));
    const spoolDir = command[command.indexOf('--spool-dir') + 1];
    const m = mountAt(c, str(spoolDir, 'spool dir'));
    expect(m).toBeDefined();
    expect(obj(volume(w, str(m?.name, 'name')).hostPath, 'hostPath')).toEqual({ path: '/var/lib/podnet/spool', type: 'DirectoryOrCreate' });
  });

  it('reads the ingest token from the podnet Secret, mounted read-only for root only', () => {
    const w = collector();
    const c = onlyContainer(w);
    const command = arr(c.command, 'command').map((x) => str(x, 'word'));
    const tokenFile = str(command[command.indexOf('--token-file') + 1], 'token file');
    const m = mounts(c).find((x) => tokenFile.startsWith(`${str(x.mountPath, 'mountPath')}/`));
    expect(m?.readOnly).toBe(true);
    const secret = obj(volume(w, str(m?.name, 'name')).secret, 'secret');
    expect(secret.secretName).toBe('podnet');
    expect(secret.items).toEqual([{ key: 'ingest-token', path: path.posix.relative(str(m?.mountPath, 'mountPath'), tokenFile) }]);
    expect(secret.defaultMode).toBe(0o400);
    expect(command).not.toContain('--token');
    expect(envVar(c, 'PODNET_TOKEN')).toBeUndefined();
  });

  it('takes the node name from the downward API and bounds CPU and memory', () => {
    const c = onlyContainer(collector());
    expect(envVar(c, 'NODE_NAME')).toEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    // 128Mi: collector/bench.ts measures a peak RSS of ~55 MB with the in-cluster Kubernetes reads (collector.yaml).
    expect(obj(c.resources, 'resources').limits).toEqual({ cpu: '100m', memory: '128Mi' });
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(String(envVar(c, 'NODE_OPTIONS')?.value))?.[1]);
    expect(heapMb).toBeLessThanOrEqual(128 / 2);
    expect(podSpec(collector()).serviceAccountName).toBe('podnet-collector');
  });

  it('runs the agent with the runtime settings collector/bench.ts measures (those of the systemd unit)', () => {
    const unit = readFileSync(path.join(ROOT, 'collector', 'podnet-collector.service'), 'utf8');
    const measured = [...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => ({ name: m[1], value: (m[2] ?? '').trim() }));
    expect(measured.map((e) => e.name)).toEqual(expect.arrayContaining(['NODE_OPTIONS', 'MALLOC_ARENA_MAX', 'UV_THREADPOOL_SIZE']));
    const c = onlyContainer(collector());
    for (const e of measured) expect(envVar(c, e.name ?? ''), e.name).toEqual(e);
    // The node flags: those between node and bin/podnet.mjs, in the unit's ExecStart and in the container's command.
    const exec = (/^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '').trim().split(/\s+/);
    const nodeFlags = (words: string[]) => words.slice(1, words.findIndex((w) => w.endsWith('/bin/podnet.mjs')));
    expect(exec[0]).toMatch(/\/node$/);
    expect(nodeFlags(exec)).toContain('--jitless');
    const command = arr(c.command, 'command').map((x) => str(x, 'word'));
    expect(command[0]).toBe('node');
    expect(nodeFlags(command)).toEqual(nodeFlags(exec));
  });

  it('runs `podnet collect` with flags the CLI accepts, pushing to the dashboard Service', () => {
    const words = arr(onlyContainer(collector()).command, 'command').map((x) => str(x, 'word'));
    const script = words.findIndex((w) => w.endsWith('/bin/podnet.mjs'));
    // The image's bin/podnet.mjs: COPY bin ./bin under its WORKDIR.
    const workdir = instructions('Dockerfile.collector').filter((i) => i.op === 'WORKDIR').at(-1)?.args;
    expect(words[script]).toBe(`${workdir ?? ''}/bin/podnet.mjs`);
    const command = words.slice(script + 1);
    expect(command[0]).toBe('collect');
    const help = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'podnet.mjs'), 'collect', '--help'], { cwd: ROOT, encoding: 'utf8' });
    const accepted = new Set([...help.matchAll(/^\s+(--[a-z][a-z-]*)/gm)].map((m) => m[1]));
    const flags = command.filter((w) => w.startsWith('--'));
    expect(flags.length).toBeGreaterThan(3);
    for (const f of flags) expect(accepted, f).toContain(f);
    expect(command[command.indexOf('--interval') + 1]).toBe('30s');
    const server = new URL(str(command[command.indexOf('--server') + 1], 'server'));
    const svc = find('service.yaml', 'Service', 'podnet');
    expect(server.hostname).toBe(`${nameOf({ file: 'service.yaml', index: 0, obj: svc })}.${NAMESPACE}.svc`);
    expect(objs(obj(svc.spec, 'spec').ports, 'ports').map((p) => String(p.port))).toContain(server.port);
  }, 60_000);
});

describe('collector RBAC', () => {
  it('grants exactly the API calls collector/kube.ts makes', () => {
    const kube = readFileSync(path.join(ROOT, 'collector', 'kube.ts'), 'utf8');
    // The methods of `interface KubeApi`, named after the CoreV1Api calls they are.
    const api = /export interface KubeApi \{([\s\S]*?)\n\}/.exec(kube);
    const methods = [...(api?.[1] ?? '').matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]);
    expect(methods.length).toBeGreaterThan(0);
    // CoreV1Api method -> the RBAC verb and resource it needs.
    const needs: Record<string, [string, string]> = { listPodForAllNamespaces: ['list', 'pods'], readNode: ['get', 'nodes'] };
    const required = new Set(
      methods.map((m) => {
        const need = needs[m ?? ''];
        if (!need) throw new Error(`collector/kube.ts calls ${m ?? '?'}: add its verb to deploy/kubernetes/rbac.yaml and to this table`);
        return need.join(' ');
      }),
    );
    const role = find('rbac.yaml', 'ClusterRole', 'podnet-collector');
    const granted = new Set<string>();
    for (const rule of objs(role.rules, 'rules')) {
      expect(rule.apiGroups).toEqual(['']);
      for (const verb of arr(rule.verbs, 'verbs')) for (const res of arr(rule.resources, 'resources')) granted.add(`${String(verb)} ${String(res)}`);
    }
    expect(granted).toEqual(required);
  });

  it('binds the role to the collector service account only', () => {
    const binding = find('rbac.yaml', 'ClusterRoleBinding', 'podnet-collector');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'podnet-collector' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'podnet-collector', namespace: NAMESPACE }]);
    expect(find('rbac.yaml', 'ServiceAccount', 'podnet').automountServiceAccountToken).toBe(false);
  });
});

describe('dashboard Deployment', () => {
  it('listens on every address with the viewer token from the Secret (start.mjs refuses otherwise)', () => {
    for (const { file, w } of dashboards()) {
      const c = onlyContainer(w);
      expect(envVar(c, 'HOST'), file).toEqual({ name: 'HOST', value: '0.0.0.0' });
      expect(envVar(c, 'PODNET_VIEWER_TOKEN'), file).toEqual({ name: 'PODNET_VIEWER_TOKEN', valueFrom: { secretKeyRef: { name: 'podnet', key: 'viewer-token' } } });
      expect(envVar(c, 'PODNET_ALLOW_PUBLIC_UNAUTHENTICATED'), file).toBeUndefined();
      expect(arr(c.command, 'command'), file).toEqual(['node', 'scripts/start.mjs']);
    }
    expect(readFileSync(path.join(ROOT, 'scripts', 'start.mjs'), 'utf8')).toContain('PODNET_VIEWER_TOKEN');
  });

  it('runs as the non-root user the image declares, without a Kubernetes API token', () => {
    const user = /^USER\s+(\d+):(\d+)\s*$/m.exec(readFileSync(path.join(ROOT, 'deploy', 'Dockerfile.dashboard'), 'utf8'));
    expect(user).not.toBeNull();
    for (const { file, w } of dashboards()) {
      const sc = obj(podSpec(w).securityContext, 'securityContext');
      expect(sc.runAsNonRoot, file).toBe(true);
      expect(String(sc.runAsUser), file).toBe(user?.[1]);
      expect(String(sc.runAsGroup), file).toBe(user?.[2]);
      expect(podSpec(w).automountServiceAccountToken, file).toBe(false);
      expect(obj(onlyContainer(w).securityContext, 'securityContext').capabilities, file).toEqual({ drop: ['ALL'] });
    }
  });

  it('embedded store: one replica, replaced not rolled, data on the claim where PODNET_DATA_DIR points', () => {
    const w = find('dashboard.yaml', 'Deployment', 'podnet');
    const spec = obj(w.spec, 'spec');
    expect(spec.replicas).toBe(1);
    expect(obj(spec.strategy, 'strategy').type).toBe('Recreate');
    const c = onlyContainer(w);
    const dataDir = str(envVar(c, 'PODNET_DATA_DIR')?.value, 'PODNET_DATA_DIR');
    const m = mountAt(c, dataDir);
    const claim = str(obj(volume(w, str(m?.name, 'name')).persistentVolumeClaim, 'pvc').claimName, 'claimName');
    find('dashboard.yaml', 'PersistentVolumeClaim', claim);
    expect(envVar(c, 'DATABASE_URL')).toBeUndefined();
  });

  it('PostgreSQL: several replicas, DATABASE_URL from its own Secret, no volume claim', () => {
    const w = find('dashboard-postgres.yaml', 'Deployment', 'podnet');
    expect(Number(obj(w.spec, 'spec').replicas)).toBeGreaterThan(1);
    const c = onlyContainer(w);
    expect(envVar(c, 'DATABASE_URL')).toEqual({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'podnet-database', key: 'url' } } });
    expect(volumes(w).some((v) => v.persistentVolumeClaim !== undefined)).toBe(false);
  });

  it('the two variants differ only in the store', () => {
    const strip = (w: Obj): Json => {
      const copy = structuredClone(w);
      const spec = obj(copy.spec, 'spec');
      delete spec.replicas;
      delete spec.strategy;
      const pod = podSpec(copy);
      delete obj(pod.securityContext, 'sc').fsGroup;
      pod.volumes = volumes(copy).filter((v) => v.persistentVolumeClaim === undefined);
      const c = onlyContainer(copy);
      c.env = objs(c.env, 'env').filter((e) => e.name !== 'PODNET_DATA_DIR' && e.name !== 'DATABASE_URL');
      c.volumeMounts = mounts(c).filter((m) => m.name !== 'data');
      return copy;
    };
    const [a, b] = dashboards();
    expect(strip((b as { w: Obj }).w)).toEqual(strip((a as { w: Obj }).w));
  });

  it('is reached through a ClusterIP Service on port 3000 that selects its pods', () => {
    const svc = obj(find('service.yaml', 'Service', 'podnet').spec, 'spec');
    expect(svc.type).toBe('ClusterIP');
    const port = obj(arr(svc.ports, 'ports')[0], 'port');
    expect(port.port).toBe(3000);
    for (const { file, w } of dashboards()) {
      const labels = obj(obj(obj(obj(w.spec, 'spec').template, 'template').metadata, 'metadata').labels, 'labels');
      for (const [k, v] of Object.entries(obj(svc.selector, 'selector'))) expect(labels[k], file).toBe(v);
      const c = onlyContainer(w);
      const target = objs(c.ports, 'ports').find((p) => p.name === port.targetPort);
      expect(target?.containerPort, file).toBe(3000);
      expect(envVar(c, 'PORT')?.value, file).toBe('3000');
    }
  });
});

describe('dashboard readiness probe', () => {
  it('asks GET /api/v1/healthz on the http port: a route that exists and needs no token (server/start.test.ts runs it)', () => {
    for (const { file, w } of dashboards()) {
      const c = onlyContainer(w);
      const get = obj(obj(c.readinessProbe, 'readinessProbe').httpGet, 'httpGet');
      expect(get, file).toEqual({ path: '/api/v1/healthz', port: 'http' });
      expect(objs(c.ports, 'ports').some((p) => p.name === 'http'), file).toBe(true);
    }
    const route = readFileSync(path.join(ROOT, 'app', 'api', 'v1', 'healthz', 'route.ts'), 'utf8');
    expect(route).toMatch(/export function GET\(\)/);
    expect(route).not.toMatch(/readRoute|requireViewer/);
  });

  it('is the same probe in both variants; liveness only checks the socket', () => {
    const [a, b] = dashboards().map(({ w }) => onlyContainer(w));
    expect(b?.readinessProbe).toEqual(a?.readinessProbe);
    expect(obj(a?.livenessProbe, 'liveness').tcpSocket).toEqual({ port: 'http' });
  });
});

describe('Secret template', () => {
  const secrets = all.filter((m) => m.file === 'secret.example.yaml');

  it('holds only REPLACE_ME placeholders, in stringData, too short for start.mjs to accept as a viewer token', () => {
    expect(secrets.length).toBeGreaterThan(0);
    for (const m of secrets) {
      expect(m.obj.kind).toBe('Secret');
      expect(m.obj.data, nameOf(m)).toBeUndefined();
      for (const [key, value] of Object.entries(obj(m.obj.stringData, 'stringData'))) {
        expect(value, `${nameOf(m)}.${key}`).toBe('REPLACE_ME');
        expect(String(value).length).toBeLessThan(16);
      }
    }
    expect(readFileSync(path.join(ROOT, 'scripts', 'start.mjs'), 'utf8')).toMatch(/PODNET_VIEWER_TOKEN\.length < 16/);
  });

  it('has every key the workloads read, and says how to make each token', () => {
    expect(secretKeys().get('podnet')).toEqual(new Set(['viewer-token', 'ingest-token']));
    const text = rawText('secret.example.yaml');
    expect(text).toContain('podnet token create --cluster');
    expect(text).toContain('openssl rand');
  });

  it('no other manifest carries secret-looking values', () => {
    const suspicious: string[] = [];
    const walk = (v: Json, at: string): void => {
      if (typeof v === 'string' && /^[A-Za-z0-9+/=_-]{32,}$/.test(v)) suspicious.push(`${at}: ${v}`);
      if (typeof v === 'string' && /:\/\/[^/\s:@]+:[^/\s@]+@/.test(v)) suspicious.push(`${at}: URL with a password`);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
      else if (isObj(v)) for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    };
    for (const m of all) walk(m.obj, `${m.file}#${m.index + 1}`);
    expect(suspicious).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Dockerfiles

interface Instruction {
  op: string;
  args: string;
  line: number;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(file: string): Instruction[] {
  const lines = readFileSync(path.join(ROOT, 'deploy', file), 'utf8').split('\n');
  const out: Instruction[] = [];
  let current: Instruction | undefined;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (current === undefined && (line === '' || line.startsWith('#'))) return;
    if (current !== undefined && line.startsWith('#')) return;
    const text = line.endsWith('\\') ? line.slice(0, -1) : line;
    if (current === undefined) {
      const m = /^(\w+)\s+(.*)$/.exec(text);
      if (!m) throw new Error(`${file}:${i + 1}: not an instruction: ${line}`);
      current = { op: (m[1] ?? '').toUpperCase(), args: m[2] ?? '', line: i + 1 };
    } else {
      current.args += ` ${text}`;
    }
    if (!line.endsWith('\\')) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) throw new Error(`${file}: ends inside a continued line`);
  return out;
}

const dockerignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

/** Whether .dockerignore leaves `rel` out of the build context (its patterns are root-anchored). */
function ignored(rel: string): boolean {
  return dockerignore.some((p) => {
    if (p.startsWith('!')) throw new Error('exceptions in .dockerignore are not handled by this test');
    if (p.includes('*')) {
      const re = new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}(/|$)`);
      return re.test(rel);
    }
    return rel === p || rel.startsWith(`${p}/`);
  });
}

function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f !== '' && existsSync(path.join(ROOT, f)));
}

/** Sources of a COPY without --from, or [] when it copies from a stage. */
function copySources(i: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = i.args.split(/\s+/).filter((w) => w !== '');
  const flags = words.filter((w) => w.startsWith('--'));
  const rest = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from !== undefined ? { from } : {}), sources: rest.slice(0, -1), dest: rest[rest.length - 1] ?? '' };
}

describe.each(['Dockerfile.dashboard', 'Dockerfile.collector'])('%s', (file) => {
  const ins = instructions(file);
  const stages = ins.filter((i) => i.op === 'FROM');
  const finalStage = ins.slice(ins.lastIndexOf(stages[stages.length - 1] as Instruction));

  it('builds on node:20-bookworm-slim, the Node major package.json asks for', () => {
    const engines = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const major = /(\d+)/.exec(engines)?.[1];
    expect(stages.length).toBeGreaterThan(0);
    for (const s of stages) expect(s.args.split(/\s+/)[0], `line ${s.line}`).toBe(`node:${major}-bookworm-slim`);
  });

  it('copies only paths that exist in the repository and reach the build context, or stages it defines', () => {
    const names = new Set(stages.map((s) => /\bAS\s+(\S+)/i.exec(s.args)?.[1]).filter((x): x is string => x !== undefined));
    for (const i of ins.filter((x) => x.op === 'COPY' || x.op === 'ADD')) {
      expect(i.op, `line ${i.line}: ADD fetches and unpacks; use COPY`).toBe('COPY');
      const c = copySources(i);
      if (c.from !== undefined) {
        expect(names, `line ${i.line}`).toContain(c.from);
        continue;
      }
      for (const src of c.sources) {
        if (src === '.') continue;
        expect(existsSync(path.join(ROOT, src)), `line ${i.line}: ${src}`).toBe(true);
        expect(ignored(src), `line ${i.line}: ${src} is in .dockerignore`).toBe(false);
      }
    }
  });

  it('installs with npm ci from the lockfile and cleans apt lists', () => {
    const runs = ins.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b/.test(r))).toBe(true);
    expect(existsSync(path.join(ROOT, 'package-lock.json'))).toBe(true);
    for (const r of runs.filter((x) => x.includes('apt-get install'))) {
      expect(r).toContain('--no-install-recommends');
      expect(r).toContain('rm -rf /var/lib/apt/lists/*');
    }
  });

  it('starts a program that exists, in exec form', () => {
    const cmd = finalStage.filter((i) => i.op === 'CMD' || i.op === 'ENTRYPOINT');
    expect(cmd).toHaveLength(1);
    const argv = JSON.parse((cmd[0] as Instruction).args) as string[];
    if (argv[0] === 'node') expect(existsSync(path.join(ROOT, argv[1] ?? '')), argv[1]).toBe(true);
    else {
      // A program linked into PATH by a RUN of the final stage.
      const link = finalStage.map((i) => new RegExp(`ln -s (\\S+) /usr/local/bin/${argv[0] ?? ''}\\b`).exec(i.args)).find((m) => m !== null);
      expect(link, argv[0]).toBeDefined();
      const target = path.relative('/app', link?.[1] ?? '');
      expect(existsSync(path.join(ROOT, target)), target).toBe(true);
      expect(statSync(path.join(ROOT, target)).mode & 0o111, `${target} is executable`).not.toBe(0);
    }
  });
});

describe('Docker images', () => {
  it('the dashboard build context holds every tracked file except the Kubernetes manifests', () => {
    const left = trackedFiles().filter(ignored);
    expect(left.filter((f) => !f.startsWith('deploy/kubernetes/'))).toEqual([]);
    expect(instructions('Dockerfile.dashboard').some((i) => i.op === 'COPY' && copySources(i).sources.includes('.'))).toBe(true);
  });

  it('the dashboard runs as a numeric non-root user and starts through start.mjs after a production build', () => {
    const ins = instructions('Dockerfile.dashboard');
    const users = ins.filter((i) => i.op === 'USER').map((i) => i.args.trim());
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^[1-9]\d*:\d+$/);
    expect(ins.some((i) => i.op === 'RUN' && i.args.includes('npm run build'))).toBe(true);
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toMatch(/next build/);
    const cmd = ins.filter((i) => i.op === 'CMD').map((i) => JSON.parse(i.args) as string[]);
    expect(cmd).toEqual([['node', 'scripts/start.mjs']]);
  });

  it('the collector image has iproute2 and every source directory the CLI imports', async () => {
    const ins = instructions('Dockerfile.collector');
    const last = ins.filter((i) => i.op === 'FROM').length;
    let stage = 0;
    const finalRuns: string[] = [];
    const copied = new Set<string>();
    for (const i of ins) {
      if (i.op === 'FROM') stage++;
      if (stage !== last) continue;
      if (i.op === 'RUN') finalRuns.push(i.args);
      if (i.op === 'COPY') {
        const c = copySources(i);
        if (c.from === undefined) for (const s of c.sources) copied.add(s.replace(/\/$/, ''));
      }
    }
    expect(finalRuns.some((r) => /apt-get install[^&]*\biproute2\b/.test(r))).toBe(true);
    const result = await build({
      entryPoints: [path.join(ROOT, 'cli', 'main.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      tsconfig: path.join(ROOT, 'tsconfig.json'),
      outdir: 'out',
      logLevel: 'silent',
    });
    const imported = new Set(Object.keys(result.metafile.inputs).map((f) => f.split('/')[0] ?? f));
    for (const dir of ['bin', ...imported]) expect(copied, dir).toContain(dir);
    expect(copied).toContain('tsconfig.json');
    // The collector must not run as a user without the capability setns needs.
    expect(ins.filter((i) => i.op === 'USER')).toEqual([]);
  }, 60_000);
});

describe('deploy/README.md install steps', () => {
  const readme = readFileSync(path.join(ROOT, 'deploy', 'README.md'), 'utf8');

  it('name only files that exist', () => {
    // Files, not `kubectl exec deploy/NAME`: a path under kubernetes/ or with an extension.
    const named = [...readme.matchAll(/(?<![\w/])(deploy\/(?:kubernetes\/[\w.-]*\w|[\w-]+(?:\.\w+)+))/g)].map((m) => m[1] ?? '');
    expect(named.length).toBeGreaterThan(3);
    for (const f of new Set(named)) expect(existsSync(path.join(ROOT, f)), f).toBe(true);
  });

  it('create the token in the Deployment for the cluster the collectors push to', () => {
    const cluster = str(obj(find('collector.yaml', 'ConfigMap', 'podnet-collector').data, 'data').cluster, 'cluster');
    const exec = /kubectl -n (\S+) exec deploy\/(\S+) -- node (\S+) token create --cluster (\S+)/.exec(readme);
    expect(exec?.slice(1)).toEqual([NAMESPACE, 'podnet', 'bin/podnet.mjs', cluster]);
    expect(existsSync(path.join(ROOT, 'bin', 'podnet.mjs'))).toBe(true);
    expect(readme).toMatch(/kubectl -n podnet patch secret podnet .*ingest-token/);
    expect(readme).toContain('--from-literal=viewer-token=');
  });
});

describe('the dashboard’s V8 settings', () => {
  it('start through scripts/start.mjs, which adds the server flags to NODE_OPTIONS and keeps an operator’s own semi-space choice', () => {
    for (const { file, w } of dashboards()) expect(onlyContainer(w).command, file).toEqual(['node', 'scripts/start.mjs']);
    // The server's own NODE_OPTIONS: serverNodeOptions of the operator's, directly or through a variable.
    const start = readFileSync(path.join(ROOT, 'scripts', 'start.mjs'), 'utf8');
    const computed = /(?:const|let) (\w+) = serverNodeOptions\(process\.env\.NODE_OPTIONS\)/.exec(start)?.[1];
    expect(start).toMatch(computed ? new RegExp(`NODE_OPTIONS: ${computed}\\b`) : /NODE_OPTIONS: serverNodeOptions\(process\.env\.NODE_OPTIONS\)/);
    expect(serverNodeOptions('')).toBe(SERVER_V8_FLAGS.join(' '));
    expect(serverNodeOptions('--max-old-space-size=4096')).toBe(`--max-old-space-size=4096 ${SERVER_V8_FLAGS.join(' ')}`);
    expect(serverNodeOptions('--max-semi-space-size=8')).toBe('--max-semi-space-size=8');
  });
});
