/**
 * Collection cost on a node with 110 pods (the kubelet's default maximum).
 * Builds one lab node in network namespaces (host netns with cni0 and
 * flannel.1, 110 pod netns each joined by a veth), collects it N times at a
 * fixed interval the way `podnet collect --interval` does, and prints CPU
 * time per collection (this process plus every `ip` child it waited for),
 * peak RSS, snapshot size raw and gzip, and the share of one core at a 30 s
 * interval. Deletes exactly the namespaces it made.
 *
 * Collections run as the agent runs them: one `ip monitor all-nsid` in the
 * host netns (collector/watch.ts) says which pod netns changed, only those
 * (and the host netns) are read, and every 10th collection reads everything.
 * So it prints the first (full) collection, then whole cycles of a quiet node
 * (incremental and periodic full reads apart, the monitor's own CPU, and the
 * average over the cycle: the honest share of a core), then the same with
 * `--churn N` pods changing a neighbour and a route between rounds.
 *
 * Then it runs the real agent the way a node runs it, `node FLAGS
 * bin/podnet.mjs collect --interval` with the systemd unit's node flags and
 * environment, pushing to a local HTTP server, from the collector bundle
 * (what bin/podnet.mjs runs) and through tsx, and prints the agent's own
 * figures: CPU per collection from /proc/PID/stat (itself and every child it
 * waited for), peak RSS (VmHWM), bytes sent per collection. As in a pod, the
 * agent finds a Kubernetes API through KUBERNETES_SERVICE_HOST and its
 * service account (a fake HTTPS API server serving this node's 110 pods,
 * the account's files bind-mounted in a private mount namespace), so the
 * figures include loading the client and both reads every collection.
 *
 * The agent's figures cover whole cycles too (`--agent-runs`, default two
 * cycles), its CPU including the monitor it keeps running.
 *
 *   npx tsx collector/bench.ts [--pods 110] [--runs 20] [--full-every 10] [--churn 5] [--interval 2s] [--agent-runs 20]
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { collectNode } from './collect';
import { execCommand, mustRun } from './exec';
import { sleep } from './push';
import { loadAverage, statCpuMs, treeCpuMs } from '../bench/procCpu';
import { shellRunMany, type RunMany } from './runner';
import { NetnsWatch } from './watch';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v);
  if (!m) throw new Error(`--${name} ${v}: expected a number`);
  return m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export async function buildNode(prefix: string, pods: number): Promise<string[]> {
  const host = `${prefix}-node`;
  const made: string[] = [];
  // One `ip -n NETNS -batch -` per namespace: building 110 pods one command at a time takes minutes.
  const batch = async (netns: string, lines: string[]) => {
    const r = await new Promise<{ code: number; err: string }>((resolve) => {
      const child = spawn('ip', ['-n', netns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, err }));
      child.stdin.end(`${lines.join('\n')}\n`);
    });
    if (r.code !== 0) throw new Error(`ip -n ${netns} -batch failed: ${r.err}`);
  };
  await mustRun(execCommand, 'ip', ['netns', 'add', host]);
  made.push(host);
  const podNames = Array.from({ length: pods }, (_, i) => `${prefix}-p${String(i).padStart(3, '0')}`);
  for (const p of podNames) {
    await mustRun(execCommand, 'ip', ['netns', 'add', p]);
    made.push(p);
  }
  const hostLines = [
    'link set lo up',
    // The underlay NIC: one end of a veth whose other end stays in the node (no dummy device in this kernel).
    'link add eth0 type veth peer name uplink0',
    'link set uplink0 up',
    'addr add 192.168.50.11/24 dev eth0',
    'link set eth0 up',
    'link add cni0 type bridge',
    'addr add 10.244.1.1/24 dev cni0',
    'link set cni0 up',
    'link add flannel.1 type vxlan id 1 local 192.168.50.11 dev eth0 dstport 8472 nolearning',
    'addr add 10.244.1.0/32 dev flannel.1',
    'link set flannel.1 up',
  ];
  // Routes and permanent neighbours towards 19 other nodes, as flanneld writes them.
  for (let n = 2; n <= 20; n++) {
    hostLines.push(`route add 10.244.${n}.0/24 via 10.244.${n}.0 dev flannel.1 onlink`);
    hostLines.push(`neigh add 10.244.${n}.0 lladdr 02:00:00:00:00:${n.toString(16).padStart(2, '0')} dev flannel.1 nud permanent`);
  }
  const veths = podNames.map(() => `veth${randomBytes(4).toString('hex')}`);
  podNames.forEach((p, i) => {
    hostLines.push(`link add ${veths[i]} type veth peer name eth0 netns ${p}`);
    hostLines.push(`link set ${veths[i]} master cni0 up`);
  });
  await batch(host, hostLines);
  for (let i = 0; i < podNames.length; i++) {
    const p = podNames[i] as string;
    await batch(p, ['link set lo up', `addr add 10.244.1.${(i % 250) + 2}/24 dev eth0`, 'link set eth0 up', 'route add default via 10.244.1.1 dev eth0']);
  }
  return made;
}

/**
 * Waits (up to 20 s) until no netns of `names` holds a tentative IPv6
 * address: duplicate address detection settles each link-local address a
 * second or more after its link came up, and each is a real change of that
 * netns, which a freshly built lab node would otherwise show as 110 pods
 * changing at once.
 */
export async function waitForDad(names: readonly string[]): Promise<void> {
  for (const until = Date.now() + 20_000; Date.now() < until; await sleep(200)) {
    const pending = await Promise.all(names.map((ns) => execCommand('ip', ['-n', ns, '-6', 'addr', 'show', 'tentative'])));
    if (pending.every((r) => r.stdout.trim() === '')) return;
  }
}

/** CPU of the process itself, in ms: a monitor still running is nobody's waited-for child yet; 0 once it is gone. */
function ownCpuMs(pid: number): number {
  try {
    return statCpuMs(pid).own;
  } catch {
    return 0;
  }
}

/** One collection as the bench saw it. */
interface Sample {
  cpu: number;
  self: number;
  wall: number;
  processes: number;
  full: boolean;
}

function report(label: string, xs: Sample[], monitorMs: number, pods: number): void {
  const mean = (v: number[]) => (v.length === 0 ? NaN : v.reduce((a, b) => a + b, 0) / v.length);
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
  const inc = xs.filter((x) => !x.full);
  const full = xs.filter((x) => x.full);
  const total = xs.reduce((a, x) => a + x.cpu, 0) + monitorMs;
  const avg = total / xs.length;
  // A collection reading more netns than there are pods is a full read: the periodic one, or the kernel changing most pods at
  // once (a lab node's IPv6 neighbour entries from the host's router solicitations, made and garbage-collected together).
  console.log(`${label}: ${xs.length} collections (${pods} pods + host), ${full.length} of them reading every netns (the periodic full read, or events in most pods)`);
  console.log(`  incremental: CPU median ${median(inc.map((x) => x.cpu)).toFixed(0)} ms, mean ${mean(inc.map((x) => x.cpu)).toFixed(0)} (collector ${mean(inc.map((x) => x.self)).toFixed(0)}), max ${Math.max(...inc.map((x) => x.cpu)).toFixed(0)}; wall mean ${mean(inc.map((x) => x.wall)).toFixed(0)} ms; processes ${median(inc.map((x) => x.processes))}`);
  if (full.length > 0) console.log(`  full read: CPU mean ${mean(full.map((x) => x.cpu)).toFixed(0)} ms (collector ${mean(full.map((x) => x.self)).toFixed(0)}), wall ${mean(full.map((x) => x.wall)).toFixed(0)} ms, ${full[0]?.processes} processes`);
  console.log(`  monitor (ip monitor all-nsid): ${monitorMs.toFixed(0)} ms CPU over the ${xs.length} collections`);
  console.log(`  average over the cycle incl. full reads and the monitor: ${avg.toFixed(0)} ms CPU per collection = ${((avg / 30_000) * 100).toFixed(2)} % of one core at 30 s (target < 1 %, <= 300 ms)`);
}

function statusKb(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/**
 * The runtime of the deployed agent: the Environment= lines of
 * collector/podnet-collector.service and the node flags of its ExecStart
 * (those before bin/podnet.mjs); the DaemonSet sets the same, which
 * deploy/manifests.test.ts checks. So the bench measures what runs.
 */
function deployedRuntime(): { env: Record<string, string>; nodeFlags: string[] } {
  const unit = readFileSync(path.join(__dirname, 'podnet-collector.service'), 'utf8');
  const env = Object.fromEntries([...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => [m[1] as string, (m[2] ?? '').trim()]));
  const exec = (/^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '').trim().split(/\s+/);
  const script = exec.findIndex((w) => w.endsWith('/bin/podnet.mjs'));
  if (script < 1) throw new Error('podnet-collector.service: ExecStart does not run bin/podnet.mjs');
  return { env, nodeFlags: exec.slice(1, script) };
}

export const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** One pod as the API serves it, with the fields a Deployment's pod really carries (managedFields included): ~5 KB of JSON. */
function fakePod(i: number, ip: string, hostNetwork: boolean): unknown {
  const name = `web-${i.toString(36).padStart(4, '0')}-7d9f8c6b5d-${randomBytes(3).toString('hex')}`;
  const time = '2026-01-01T00:00:00Z';
  const container = { name: 'web', image: 'registry.example/web:1.2.3', ports: [{ containerPort: 8080, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } }, volumeMounts: [{ name: 'kube-api-access-x1y2z', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }], terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent', readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } };
  return {
    metadata: {
      name, generateName: name.slice(0, -6), namespace: `team-${i % 7}`, uid: `${randomBytes(4).toString('hex')}-0000-4000-8000-${randomBytes(6).toString('hex')}`, resourceVersion: String(100000 + i), creationTimestamp: time,
      labels: { app: 'web', 'pod-template-hash': '7d9f8c6b5d', 'app.kubernetes.io/part-of': 'shop' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': time },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d9f8c6b5d', uid: '11111111-2222-4333-8444-555555555555', controller: true, blockOwnerDeletion: true }],
      managedFields: [
        { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:generateName': {}, 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} }, 'f:ownerReferences': { '.': {}, 'k:{"uid":"11111111-2222-4333-8444-555555555555"}': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:ports': {}, 'f:resources': {} } }, 'f:dnsPolicy': {}, 'f:restartPolicy': {}, 'f:schedulerName': {} } } },
        { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time, subresource: 'status', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:conditions': {}, 'f:containerStatuses': {}, 'f:hostIP': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': {}, 'f:startTime': {} } } },
      ],
    },
    spec: {
      volumes: [{ name: 'kube-api-access-x1y2z', projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }], defaultMode: 420 } }],
      containers: [container], restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', serviceAccountName: 'default', serviceAccount: 'default', nodeName: 'bench', securityContext: {}, schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      priority: 0, enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', ...(hostNetwork ? { hostNetwork: true } : {}),
    },
    status: {
      phase: 'Running', hostIP: '192.168.50.11', hostIPs: [{ ip: '192.168.50.11' }], podIP: ip, podIPs: [{ ip }], startTime: time, qosClass: 'Burstable',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: time })),
      containerStatuses: [{ name: 'web', state: { running: { startedAt: time } }, lastState: {}, ready: true, restartCount: 0, image: 'registry.example/web:1.2.3', imageID: `registry.example/web@sha256:${'ab'.repeat(32)}`, containerID: `containerd://${randomBytes(32).toString('hex')}`, started: true }],
    },
  };
}

/**
 * A Kubernetes API over HTTPS serving `pods` pods on node `bench` (their IPs
 * those of the lab's pod netns) and the node itself, with a service account
 * directory (token, CA) to bind-mount at SA_DIR. Refuses a wrong token.
 */
export async function fakeKubeApi(pods: number): Promise<{ port: number; saDir: string; requests: () => number; close: () => void }> {
  const saDir = mkdtempSync(path.join(tmpdir(), 'podnet-bench-sa-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', path.join(saDir, 'key.pem'), '-out', path.join(saDir, 'ca.crt'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path.join(saDir, 'token'), token);
  writeFileSync(path.join(saDir, 'namespace'), 'podnet');
  const items = Array.from({ length: pods }, (_, i) => fakePod(i, `10.244.1.${(i % 250) + 2}`, false));
  for (let i = 0; i < 4; i++) items.push(fakePod(pods + i, '192.168.50.11', true));
  // As a real API server answers: the list's resourceVersion is the store's revision at the read, new at
  // every request, and the pods themselves change now and then (here one pod every third list: its
  // status and resourceVersion, as a restart or a readiness change does).
  let lists = 0;
  const podList = () => {
    lists++;
    if (lists % 3 === 0) {
      const p = items[lists % items.length] as { metadata: { resourceVersion: string }; status: { containerStatuses: Array<{ restartCount: number }> } };
      p.metadata.resourceVersion = String(200000 + lists);
      (p.status.containerStatuses[0] as { restartCount: number }).restartCount++;
    }
    return JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(300000 + lists) }, items });
  };
  const node = JSON.stringify({
    kind: 'Node', apiVersion: 'v1',
    metadata: { name: 'bench', labels: { 'kubernetes.io/hostname': 'bench' }, annotations: { 'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"02:00:00:00:00:01"}', 'flannel.alpha.coreos.com/backend-type': 'vxlan', 'flannel.alpha.coreos.com/public-ip': '192.168.50.11', 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] },
    status: { addresses: [{ type: 'InternalIP', address: '192.168.50.11' }, { type: 'Hostname', address: 'bench' }] },
  });
  let requests = 0;
  const server = createHttpsServer({ key: readFileSync(path.join(saDir, 'key.pem')), cert: readFileSync(path.join(saDir, 'ca.crt')) }, (req, res) => {
    requests++;
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/api/v1/pods' && url.searchParams.get('fieldSelector') === 'spec.nodeName=bench') res.end(podList());
    else if (url.pathname === '/api/v1/nodes/bench') res.end(node);
    else res.writeHead(404).end('{}');
  });
  rmSync(path.join(saDir, 'key.pem'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, saDir, requests: () => requests, close: () => server.close() };
}

/**
 * Runs `podnet collect --interval` as a node would and measures it from the
 * outside at each snapshot the server receives: the first two are warm-up.
 */
async function measureAgent(label: string, runtime: { env: Record<string, string>; nodeFlags: string[] }, prefix: string, runs: number, intervalMs: number, kube?: { port: number; saDir: string }): Promise<void> {
  const { env, nodeFlags } = runtime;
  const samples: Array<{ cpu: number; rss: number; bytes: number }> = [];
  let pid = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => (done = resolve));
  const server = createServer((req, res) => {
    let bytes = 0;
    req.on('data', (d: Buffer) => (bytes += d.length));
    req.on('end', () => {
      // Its reaped children, and those still running (the monitor): tree minus the agent's own CPU.
      if (pid > 0) samples.push({ cpu: statCpuMs(pid).children + treeCpuMs(pid), rss: statusKb(pid, 'VmRSS'), bytes });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: String(samples.length), node: 'bench', revision: samples.length, status: 'accepted', warnings: [], used: [], skipped: [] }));
      if (samples.length >= runs + 2) done();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const spool = mkdtempSync(path.join(tmpdir(), 'podnet-bench-spool-'));
  const bin = path.resolve(__dirname, '..', 'bin', 'podnet.mjs');
  const args = [...nodeFlags, bin, 'collect', '--node', 'bench', '--host-netns', `${prefix}-node`, '--pod-netns', `${prefix}-p*`];
  if (!kube) args.push('--no-kubernetes');
  args.push('--server', `http://127.0.0.1:${port}`, '--cluster', 'bench', '--interval', `${intervalMs}ms`, '--spool-dir', spool);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PODNET_TOKEN: 'bench-token' };
  // The cycle the in-process figures used; unset, the agent's own default (10).
  const fullEvery = process.argv.indexOf('--full-every');
  if (fullEvery >= 0) childEnv.PODNET_COLLECT_FULL_EVERY = process.argv[fullEvery + 1];
  delete childEnv.KUBERNETES_SERVICE_HOST;
  if (kube) Object.assign(childEnv, { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(kube.port) });
  // In a pod the service account is mounted at SA_DIR: here a bind mount in a private mount namespace;
  // unshare and sh exec, so the PID measured is the agent's.
  const child = kube
    ? spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind "$0" ${SA_DIR} && exec "$@"`, kube.saDir, process.execPath, ...args], { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] })
    : spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  pid = child.pid ?? 0;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const timeout = setTimeout(done, (runs + 4) * intervalMs + 60_000);
  await Promise.race([finished, exited]);
  clearTimeout(timeout);
  const hwm = pid > 0 && child.exitCode === null ? statusKb(pid, 'VmHWM') : NaN;
  // File-backed pages are mostly the node binary itself (shared, in the page cache); anonymous ones are the agent's.
  const anon = pid > 0 && child.exitCode === null ? statusKb(pid, 'RssAnon') : NaN;
  const file = pid > 0 && child.exitCode === null ? statusKb(pid, 'RssFile') : NaN;
  child.kill('SIGTERM');
  await exited;
  server.close();
  rmSync(spool, { recursive: true, force: true });
  if (samples.length < 3) {
    console.log(`agent (${label}): only ${samples.length} snapshots arrived; its stderr ends:\n${stderr}`);
    return;
  }
  const kubeTrouble = /^.*(no Kubernetes API|kubernetes: ).*$/m.exec(stderr)?.[0];
  if (kubeTrouble) console.log(`agent (${label}): ${kubeTrouble}`);
  const first = samples[1] as { cpu: number };
  const last = samples.at(-1) as { cpu: number; rss: number; bytes: number };
  const n = samples.length - 2;
  const perRun = (last.cpu - first.cpu) / n;
  console.log(
    `agent (${label}): ${n} collections at one per ${intervalMs / 1000} s (whole cycles: periodic full reads included): ${perRun.toFixed(0)} ms CPU each (agent + children + monitor), ` +
      `${((perRun / 30_000) * 100).toFixed(2)} % of one core at 30 s; peak RSS ${(hwm / 1024).toFixed(1)} MB (now ${(last.rss / 1024).toFixed(1)} MB: ${(anon / 1024).toFixed(1)} anonymous, ${(file / 1024).toFixed(1)} file-backed); ` +
      `${(last.bytes / 1024).toFixed(1)} KiB sent per collection`,
  );
}

async function main(): Promise<void> {
  const pods = arg('pods', 110);
  const runs = arg('runs', 20);
  const fullEvery = arg('full-every', 10);
  const intervalMs = arg('interval', 2000);
  const prefix = `e11b${randomBytes(2).toString('hex')}`;
  let made: string[] = [];
  try {
    const t0 = Date.now();
    made = await buildNode(prefix, pods);
    await waitForDad(made);
    console.log(`built ${prefix}: host netns + ${pods} pod netns in ${((Date.now() - t0) / 1000).toFixed(1)} s (IPv6 DAD settled)`);
    let processes = 0;
    // Every process the collection starts: each command, plus the shell, a runner spawns (the product injects no Exec, so none here either).
    const shell = shellRunMany();
    const countingRunner: RunMany = async (cmds) => {
      processes += cmds.length + 1;
      return shell(cmds);
    };
    // As the agent runs (collector/agent.ts): one monitor in the host netns, everything re-read every 10th collection.
    const watch = new NetnsWatch({ kind: 'named', name: `${prefix}-node` }, { fullEvery });
    let raw = 0;
    let gz = 0;
    const collectOnce = async (): Promise<Sample> => {
      const start = Date.now();
      const s0 = selfCpuMs();
      const c0 = s0 + statCpuMs('self').children;
      processes = 0;
      const { snapshot, warnings } = await collectNode({ nodeName: 'bench', hostNetns: `${prefix}-node`, podNetns: `${prefix}-p*`, runMany: countingRunner, watch });
      const json = JSON.stringify(snapshot);
      const body = gzipSync(Buffer.from(json));
      const s1 = selfCpuMs();
      const c1 = s1 + statCpuMs('self').children;
      if (warnings.length > 0) console.log(`${warnings.length} warnings, first: ${warnings[0]}`);
      if (snapshot.namespaces.length !== pods + 1) throw new Error(`collected ${snapshot.namespaces.length} netns, expected ${pods + 1}`);
      raw = json.length;
      gz = body.length;
      return { cpu: c1 - c0, self: s1 - s0, wall: Date.now() - start, processes, full: processes > pods };
    };
    const monitorCpu = () => (watch.pid === undefined ? 0 : ownCpuMs(watch.pid));
    const cycles = Math.max(1, Math.round(runs / fullEvery));
    console.log(`load before: ${loadAverage()}`);
    const first = await collectOnce();
    console.log(`first collection (full read, monitor started): ${first.cpu.toFixed(0)} ms CPU (collector ${first.self.toFixed(0)}), ${first.wall} ms wall, ${first.processes} processes`);
    // The collection that starts a monitor keeps no baselines (collector/watch.ts): the next one reads everything too, once per monitor start.
    await sleep(intervalMs);
    const second = await collectOnce();
    console.log(`second collection (full read, the first baselines): ${second.cpu.toFixed(0)} ms CPU (collector ${second.self.toFixed(0)}), ${second.wall} ms wall, ${second.processes} processes`);
    await sleep(intervalMs);
    // Quiet node: whole cycles of fullEvery collections, each cycle one periodic full read.
    const m0 = monitorCpu();
    const quiet: Sample[] = [];
    for (let i = 0; i < cycles * fullEvery; i++) {
      const start = Date.now();
      quiet.push(await collectOnce());
      await sleep(Math.max(0, start + intervalMs - Date.now()));
    }
    const quietMonitor = monitorCpu() - m0;
    report('quiet node', quiet, quietMonitor, pods);
    // Churn: between rounds, `churn` pods each get a neighbour changed (a new peer's MAC, as traffic does) and
    // a route replaced; the commands making the change are not counted, the monitor hearing them is.
    const churn = arg('churn', 5);
    const busy: Sample[] = [];
    const m1 = monitorCpu();
    for (let i = 0; i < cycles * fullEvery; i++) {
      const start = Date.now();
      for (let k = 0; k < churn; k++) {
        const p = `${prefix}-p${String((i * churn + k) % pods).padStart(3, '0')}`;
        await mustRun(execCommand, 'ip', ['-n', p, 'neigh', 'replace', `10.244.1.${200 + (i % 50)}`, 'lladdr', `02:00:00:00:${(i % 256).toString(16).padStart(2, '0')}:${k.toString(16).padStart(2, '0')}`, 'dev', 'eth0']);
        await mustRun(execCommand, 'ip', ['-n', p, 'route', 'replace', '10.99.0.0/16', 'via', '10.244.1.1', 'metric', String(100 + i)]);
      }
      await sleep(50);
      busy.push(await collectOnce());
      await sleep(Math.max(0, start + intervalMs - Date.now()));
    }
    report(`churn: ${churn} pods' neighbour and route changed between rounds`, busy, monitorCpu() - m1, pods);
    console.log(`monitor events heard: ${watch.events}; load after: ${loadAverage()}`);
    watch.stop();
    const rssMb = process.resourceUsage().maxRSS / 1024;
    console.log(`peak RSS of the bench process: ${rssMb.toFixed(1)} MB; snapshot: ${(raw / 1024).toFixed(0)} KiB JSON, ${(gz / 1024).toFixed(0)} KiB gzip`);
    const agentRuns = arg('agent-runs', 2 * fullEvery);
    if (agentRuns > 0) {
      // As deployed: the bundle built beforehand, so the agent measured never builds it itself.
      execFileSync(process.execPath, [path.join(__dirname, 'build.mjs')], { stdio: 'ignore' });
      const deployed = deployedRuntime();
      const shown = [...Object.entries(deployed.env).map(([k, v]) => `${k}=${v}`), `node ${deployed.nodeFlags.join(' ')}`].join(' ');
      const kube = await fakeKubeApi(pods);
      // The mount point of the service account, made only where missing and removed after.
      const made: string[] = [];
      for (let d = SA_DIR; !existsSync(d); d = path.dirname(d)) made.unshift(d);
      for (const d of made) mkdirSync(d);
      try {
        await measureAgent(`bundle as deployed (${shown}), Kubernetes API`, deployed, prefix, agentRuns, intervalMs, kube);
        await measureAgent(`bundle as deployed, --no-kubernetes`, deployed, prefix, agentRuns, intervalMs);
        await measureAgent('bundle, no runtime settings, Kubernetes API', { env: { NODE_OPTIONS: '' }, nodeFlags: [] }, prefix, agentRuns, intervalMs, kube);
        await measureAgent('tsx, no runtime settings, Kubernetes API', { env: { PODNET_COLLECT_TSX: '1', NODE_OPTIONS: '' }, nodeFlags: [] }, prefix, agentRuns, intervalMs, kube);
        console.log(`fake Kubernetes API: ${kube.requests()} requests answered`);
      } finally {
        kube.close();
        for (const d of made.reverse()) rmdirSync(d);
        rmSync(kube.saDir, { recursive: true, force: true });
      }
    }
  } finally {
    for (const ns of made.reverse()) await execCommand('ip', ['netns', 'del', ns]);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
