/**
 * Pod identity from the Kubernetes API: the pods scheduled on this node
 * (`spec.nodeName` field selector) are matched to the collected pod netns by
 * their IPs, and this node's addresses, podCIDRs and CNI annotations go into
 * `snapshot.kubernetes`. The real client is built in `connectKube` only; the
 * matching below takes any object with the two CoreV1Api methods it calls.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { K8sNode, K8sPod, NetnsSnapshot, Snapshot } from '../lib/snapshot/schema';
import { createHash } from 'node:crypto';
import type { Agent, AgentOptions, RequestOptions } from 'node:https';
import { canonicalIp, isIp, parsePrefix } from '../lib/net/ip';

/**
 * The two CoreV1Api calls the collector makes, by their CoreV1Api names (a
 * CoreV1Api is one; deploy/manifests.test.ts grants RBAC from these names).
 */
export interface KubeApi {
  /**
   * GET /api/v1/pods?fieldSelector=…&resourceVersion=0 (RBAC: list pods). `0`
   * lets the API server answer from its watch cache: without it every list
   * is a read of every pod in etcd, and a thousand collectors every 30 s
   * would be thirty such reads a second.
   */
  listPodForAllNamespaces(param: { fieldSelector: string; resourceVersion?: string }): Promise<{ items: V1Pod[] }>;
  /** GET /api/v1/nodes/NAME (RBAC: get nodes). */
  readNode(param: { name: string }): Promise<V1Node>;
}

/** What the API said about this node and its pods, in snapshot shapes. */
export interface KubeFacts {
  pods: K8sPod[];
  node?: K8sNode;
  warnings: string[];
}

/** Annotation prefixes worth carrying: the CNI's own view of the node's tunnel endpoints. */
const KEPT_ANNOTATIONS = [/^flannel\.alpha\.coreos\.com\//, /^projectcalico\.org\//, /^io\.cilium\./, /^network\.cilium\.io\//];

function canon(ip: string | undefined): string | undefined {
  if (ip === undefined || !isIp(ip)) return undefined;
  return canonicalIp(ip);
}

/** One V1Pod as a K8sPod; `undefined` when it lacks the name the snapshot needs. */
export function k8sPodOf(pod: V1Pod, nodeName: string): K8sPod | undefined {
  const name = pod.metadata?.name;
  if (!name) return undefined;
  const out: K8sPod = { name, node: pod.spec?.nodeName ?? nodeName };
  if (pod.metadata?.namespace) out.namespace = pod.metadata.namespace;
  if (pod.metadata?.uid) out.uid = pod.metadata.uid;
  const ip = canon(pod.status?.podIP);
  if (ip !== undefined) out.ip = ip;
  const ips = (pod.status?.podIPs ?? []).map((p) => canon(p.ip)).filter((x): x is string => x !== undefined);
  if (ips.length > 0) out.ips = [...new Set(ips)];
  if (pod.spec?.hostNetwork) out.hostNetwork = true;
  if (pod.status?.phase) out.phase = pod.status.phase;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready) out.ready = ready.status === 'True';
  return out;
}

/** This node as a K8sNode: InternalIP/ExternalIP addresses, podCIDRs, CNI annotations. */
export function k8sNodeOf(node: V1Node, nodeName: string): K8sNode {
  const out: K8sNode = { name: node.metadata?.name ?? nodeName };
  const addresses = (node.status?.addresses ?? [])
    .filter((a) => a.type === 'InternalIP' || a.type === 'ExternalIP')
    .map((a) => canon(a.address))
    .filter((x): x is string => x !== undefined);
  if (addresses.length > 0) out.addresses = [...new Set(addresses)];
  const cidrs = [...(node.spec?.podCIDRs ?? []), ...(node.spec?.podCIDR ? [node.spec.podCIDR] : [])].filter((c) => parsePrefix(c, c.includes(':') ? 6 : 4) !== null);
  if (cidrs.length > 0) out.podCidrs = [...new Set(cidrs)];
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.metadata?.annotations ?? {})) {
    if (KEPT_ANNOTATIONS.some((re) => re.test(k))) annotations[k] = v;
  }
  if (Object.keys(annotations).length > 0) out.annotations = annotations;
  return out;
}

/** Asks the API for this node's pods and the node itself; an API failure is a warning, not a crash. */
export async function fetchKubeFacts(api: KubeApi, nodeName: string): Promise<KubeFacts> {
  const warnings: string[] = [];
  const pods: K8sPod[] = [];
  let node: K8sNode | undefined;
  try {
    const list = await api.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${nodeName}`, resourceVersion: '0' });
    for (const p of list.items) {
      const pod = k8sPodOf(p, nodeName);
      if (pod) pods.push(pod);
    }
  } catch (err) {
    warnings.push(`kubernetes: listing the pods of node ${nodeName} failed: ${errorText(err)}`);
  }
  try {
    node = k8sNodeOf(await api.readNode({ name: nodeName }), nodeName);
  } catch (err) {
    warnings.push(`kubernetes: reading node ${nodeName} failed: ${errorText(err)}`);
  }
  return node ? { pods, node, warnings } : { pods, warnings };
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'number') {
    // ApiException carries the HTTP status; its body may be long, the status says enough (403: RBAC).
    return `HTTP ${(err as { code: number }).code}`;
  }
  return err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err);
}

function netnsIps(ns: NetnsSnapshot): string[] {
  return (ns.addresses ?? []).filter((a) => a.ifname !== 'lo' && (a.scope === undefined || a.scope === 'global')).map((a) => canonicalIp(a.local));
}

/**
 * Names each pod netns after the pod whose IP it holds and attaches the API's
 * facts. hostNetwork pods share the node's IP, so they are never matched to a
 * pod netns: they stay in `kubernetes.pods` with `hostNetwork: true`, which
 * the topology places in the host netns. A netns no pod claims keeps whatever
 * identity it had (the netns-name hook) and is reported.
 */
export function applyKubeFacts(snapshot: Snapshot, facts: KubeFacts): { snapshot: Snapshot; warnings: string[] } {
  const warnings = [...facts.warnings];
  const byIp = new Map<string, K8sPod>();
  for (const p of facts.pods) {
    if (p.hostNetwork) continue;
    for (const ip of [p.ip, ...(p.ips ?? [])]) if (ip !== undefined) byIp.set(ip, p);
  }
  const claimed = new Set<K8sPod>();
  const namespaces = snapshot.namespaces.map((ns): NetnsSnapshot => {
    if (ns.kind !== 'pod') return ns;
    const pod = netnsIps(ns)
      .map((ip) => byIp.get(ip))
      .find((p): p is K8sPod => p !== undefined);
    if (pod === undefined) {
      if (ns.addresses !== undefined && ns.pod === undefined) warnings.push(`netns ${ns.name}: no pod on this node has its addresses (${netnsIps(ns).join(', ') || 'none'})`);
      return ns;
    }
    if (claimed.has(pod)) warnings.push(`netns ${ns.name}: pod ${pod.namespace ?? '?'}/${pod.name} already matched another netns with the same IP`);
    claimed.add(pod);
    const ref: NonNullable<NetnsSnapshot['pod']> = { namespace: pod.namespace ?? 'default', name: pod.name };
    if (pod.uid) ref.uid = pod.uid;
    return { ...ns, pod: ref };
  });
  const kubernetes: NonNullable<Snapshot['kubernetes']> = { ...(snapshot.kubernetes ?? {}) };
  if (facts.pods.length > 0) kubernetes.pods = facts.pods;
  if (facts.node) kubernetes.nodes = [facts.node];
  const node = { ...snapshot.node };
  if (facts.node?.podCidrs && node.podCidrs === undefined) node.podCidrs = facts.node.podCidrs;
  const out: Snapshot = { ...snapshot, node, namespaces };
  if (Object.keys(kubernetes).length > 0) out.kubernetes = kubernetes;
  return { snapshot: out, warnings };
}

/** True when the collector runs in a pod (the kubelet sets this for every container). */
export function inCluster(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST);
}

/** What `connectKube` needs of the official client's KubeConfig (a subset of its methods). */
export interface KubeConfigLike {
  loadFromCluster(pathPrefix?: string): void;
  getCurrentCluster(): { server: string } | null;
  applyToHTTPSOptions(opts: RequestOptions): Promise<void>;
}

/** An HTTP error from the API, with the status `errorText` reports (the shape of the client's ApiException). */
class KubeHttpError extends Error {
  constructor(readonly code: number) {
    super(`HTTP ${code}`);
  }
}

/** Above this a response is not one node's pods (110 pods are ~0.7 MB). */
const MAX_RESPONSE = 64 * 1024 * 1024;

/**
 * A body reader that parses only when the bytes that matter changed since
 * the last call, else returns what it read then. Parsing a 110-pod list
 * (~0.6 MB of JSON, most of it managedFields, container specs and statuses)
 * built ~3 MB of objects every collection for six fields per pod: garbage
 * that, with the agent's small young generation, went to the old space and
 * was most of its heap growth between two full GCs. Pods rarely change
 * between two collections; when they do, the list is parsed as before.
 * `from` names where the bytes that matter begin: a list's own
 * resourceVersion (before `"items":`) changes with every write anywhere in
 * the cluster.
 */
export function reusingReader<T>(parse: (value: unknown) => T, from?: string): (body: Buffer) => T {
  let last: { digest: string; value: T } | undefined;
  return (body) => {
    const at = from === undefined ? -1 : body.indexOf(from);
    const digest = createHash('sha256').update(at < 0 ? body : body.subarray(at)).digest('base64');
    if (last?.digest === digest) return last.value;
    const value = parse(JSON.parse(body.toString('utf8')) as unknown);
    last = { digest, value };
    return value;
  };
}

/** The fields of a pod k8sPodOf reads, and nothing else. */
export function slimPod(pod: V1Pod): V1Pod {
  const m = pod.metadata;
  const out: V1Pod = {};
  if (m) out.metadata = { name: m.name, namespace: m.namespace, uid: m.uid };
  if (pod.spec) out.spec = { containers: [], nodeName: pod.spec.nodeName, hostNetwork: pod.spec.hostNetwork };
  const st = pod.status;
  if (st) {
    const ready = st.conditions?.find((c) => c.type === 'Ready');
    out.status = { podIP: st.podIP, podIPs: st.podIPs?.map((p) => ({ ip: p.ip })), phase: st.phase, conditions: ready ? [{ type: ready.type, status: ready.status }] : undefined };
  }
  return out;
}

/** The fields of a node k8sNodeOf reads (not its image list, often the largest part of a node). */
export function slimNode(node: V1Node): V1Node {
  return {
    metadata: { name: node.metadata?.name, annotations: node.metadata?.annotations },
    spec: { podCIDR: node.spec?.podCIDR, podCIDRs: node.spec?.podCIDRs },
    status: { addresses: node.status?.addresses },
  };
}

/**
 * The two reads of connectKube over a KubeConfig: GETs with the options it
 * produces, each body read only when it changed (reusingReader).
 */
export function inClusterApi(kc: KubeConfigLike): KubeApi {
  const agents = keptAgent();
  const pods = reusingReader((v) => ({ items: ((v as { items?: V1Pod[] } | null)?.items ?? []).map(slimPod) }), '"items":');
  const nodes = new Map<string, (body: Buffer) => V1Node>();
  return {
    listPodForAllNamespaces: ({ fieldSelector, resourceVersion }) =>
      getJson(kc, `/api/v1/pods?fieldSelector=${encodeURIComponent(fieldSelector)}${resourceVersion !== undefined ? `&resourceVersion=${encodeURIComponent(resourceVersion)}` : ''}`, pods, agents),
    readNode: ({ name }) => {
      let read = nodes.get(name);
      if (read === undefined) nodes.set(name, (read = reusingReader((v) => slimNode(v as V1Node))));
      return getJson(kc, `/api/v1/nodes/${encodeURIComponent(name)}`, read, agents);
    },
  };
}

/**
 * The client makes a new https.Agent at every applyToHTTPSOptions, so each
 * GET was a new TLS connection and a new secure context (the CA parsed
 * again): two handshakes a collection, and native memory that lingered
 * until the agents were collected. One keep-alive agent instead, made from
 * the client's first agent's options and kept while the CA it was made with
 * is the one the client reads now (the mounted CA can rotate). Idle sockets
 * close after 5 s: a collection's two GETs share one connection, and none
 * is held open across the interval for the server to drop under us.
 */
type AgentFor = (made: RequestOptions['agent'], https: typeof import('node:https')) => RequestOptions['agent'];

function keptAgent(): AgentFor {
  let kept: { agent: Agent; ca: AgentOptions['ca'] } | undefined;
  return (made, { Agent }) => {
    if (!(made instanceof Agent)) return made;
    const ca = made.options.ca;
    if (kept === undefined || !sameCa(kept.ca, ca)) {
      kept?.agent.destroy();
      kept = { agent: new Agent({ ...made.options, keepAlive: true, maxSockets: 1, timeout: 5_000 }), ca };
    }
    return kept.agent;
  };
}

function sameCa(a: AgentOptions['ca'], b: AgentOptions['ca']): boolean {
  const flat = (v: AgentOptions['ca']): string[] => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : Buffer.from(x).toString('latin1'))));
  const x = flat(a);
  const y = flat(b);
  return x.length === y.length && x.every((c, i) => c === y[i]);
}

/**
 * GET of one API path with the options the KubeConfig produced (CA, token,
 * agent), the body read by `read`: the generated client's ObjectSerializer
 * would walk every field of every pod into model classes to read six of them.
 */
function getJson<T>(kc: KubeConfigLike, path: string, read: (body: Buffer) => T, agentFor: AgentFor = (a) => a): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const server = kc.getCurrentCluster()?.server;
    if (!server) {
      reject(new Error('the kubeconfig names no cluster server'));
      return;
    }
    const url = new URL(path, server);
    const opts: RequestOptions = { headers: { accept: 'application/json' } };
    kc.applyToHTTPSOptions(opts).then(async () => {
      let mod: typeof import('node:http') | typeof import('node:https');
      if (url.protocol === 'http:') mod = await import('node:http');
      else {
        const https = await import('node:https');
        opts.agent = agentFor(opts.agent, https);
        mod = https;
      }
      const req = mod.request(url, { ...opts, method: 'GET', timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          size += d.length;
          if (size > MAX_RESPONSE) req.destroy(new Error(`response above ${MAX_RESPONSE} bytes`));
          else chunks.push(d);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            reject(new KubeHttpError(status));
            return;
          }
          try {
            resolve(read(Buffer.concat(chunks)));
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timed out after 30 s')));
      req.on('error', reject);
      req.end();
    }, reject);
  });
}

/**
 * The one place the real client is built, imported lazily: the client is
 * large and only needed when there is an API to ask. In a pod, the service
 * account through the client's KubeConfig alone (collector/kubeConfig.ts,
 * bundled apart without the generated models) and two GETs with the options
 * it produces; with a kubeconfig file, the whole client, whose loader knows
 * every auth plugin (exec, OIDC, cloud providers) a person's kubeconfig uses.
 */
export async function connectKube(opts: { kubeconfig?: string }): Promise<KubeApi> {
  if (opts.kubeconfig !== undefined) {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(opts.kubeconfig);
    return kc.makeApiClient(k8s.CoreV1Api);
  }
  const { KubeConfig } = await import('./kubeConfig');
  const kc: KubeConfigLike = new KubeConfig();
  kc.loadFromCluster();
  return inClusterApi(kc);
}
