'use client';
/**
 * Facts of the selected node, device, pod or edge, as the evidence states
 * them. Every string from a capture is rendered as React text.
 */
import { useRouter } from 'next/navigation';
import { useId, useState, type ReactNode } from 'react';
import type { ClusterGraph, GraphDevice, GraphEdge, GraphNetns, GraphNode, GraphPod } from '@/lib/graph/types';

function Row({ k, children }: { k: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[7.5rem_1fr] gap-2 py-0.5">
      <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
      <dd className="break-all">{children}</dd>
    </div>
  );
}

function Lines({ title, lines, empty }: { title: string; lines: readonly string[]; empty: string }) {
  return (
    <section className="mt-3">
      <h4 className="font-semibold">{title}</h4>
      {lines.length === 0 ? (
        <p className="text-slate-500">{empty}</p>
      ) : (
        <pre className="mt-1 max-h-56 overflow-auto rounded bg-slate-100 p-2 text-[11px] leading-snug dark:bg-slate-800">{lines.join('\n')}</pre>
      )}
    </section>
  );
}

function Snapshot({ node }: { node: GraphNode | undefined }) {
  if (!node) return null;
  return (
    <Row k="snapshot">
      {node.captured ? `${node.source ?? 'unknown source'}${node.collectedAt ? `, collected ${new Date(node.collectedAt).toLocaleString()}` : ', time not stated'}` : 'not captured (only named by other nodes)'}
    </Row>
  );
}

function peerText(d: GraphDevice, g: ClusterGraph): string | null {
  if (!d.peer) return null;
  const target = d.peer.id ? (g.devices.find((x) => x.id === d.peer?.id)?.name ?? g.pods.find((p) => p.id === d.peer?.id)?.topoId ?? d.peer.id) : 'not in the evidence';
  return `${target} — ${d.peer.state}: ${d.peer.evidence}`;
}

function DeviceFacts({ d, g }: { d: GraphDevice; g: ClusterGraph }) {
  const peer = peerText(d, g);
  return (
    <dl>
      <Row k="interface">{d.name}</Row>
      <Row k="kind / role">{`${d.kind} / ${d.role}`}</Row>
      <Row k="state">{`${d.state}${d.operState ? ` (state ${d.operState})` : ''}`}</Row>
      <Row k="MTU">{d.mtu ?? 'unknown'}{d.mtuMismatch ? ' — MTU mismatch with its peer or underlay' : ''}</Row>
      <Row k="MAC">{d.mac ?? 'unknown'}</Row>
      <Row k="addresses">{d.addresses.length ? d.addresses.join(', ') : 'none'}</Row>
      {d.masterName ? <Row k="master">{d.masterName}</Row> : null}
      {peer ? <Row k="veth peer">{peer}</Row> : null}
      {d.vxlan ? <Row k="vxlan">{`id ${d.vxlan.id}${d.vxlan.local ? ` local ${d.vxlan.local}` : ''}${d.vxlan.dev ? ` dev ${d.vxlan.dev}` : ''}${d.vxlan.port !== null ? ` dstport ${d.vxlan.port}` : ''}${d.vxlan.learning === false ? ' nolearning' : ''}`}</Row> : null}
      {d.tunnel ? <Row k="tunnel">{`${d.tunnel.mode}${d.tunnel.local ? ` local ${d.tunnel.local}` : ''}${d.tunnel.remote ? ` remote ${d.tunnel.remote}` : ''}${d.tunnel.dev ? ` dev ${d.tunnel.dev}` : ''}`}</Row> : null}
      {d.inferred ? <Row k="note">known to exist (named by a route or brctl) but not listed</Row> : null}
    </dl>
  );
}

function NetnsTables({ ns, dev }: { ns: GraphNetns | undefined; dev?: string }) {
  if (!ns) return <p className="mt-3 text-slate-500">This namespace’s tables are not in the evidence.</p>;
  const known = (s: string) => ns.known.includes(s);
  return (
    <>
      <Lines title={`Routes of ${ns.kind === 'host' ? 'the host' : ns.name} (ip route show table all)`} lines={ns.routes} empty={known('routes') ? 'no routes' : 'routes not captured'} />
      {dev !== undefined ? (
        <>
          <Lines title={`Neighbours on ${dev}`} lines={ns.neighbours.filter((n) => n.dev === dev).map((n) => n.text)} empty={known('neighbours') ? 'none' : 'neighbours not captured'} />
          <Lines title={`FDB entries on ${dev}`} lines={ns.fdb.filter((n) => n.dev === dev).map((n) => n.text)} empty={known('fdb') ? 'none' : 'FDB not captured'} />
        </>
      ) : null}
    </>
  );
}

function TraceTo({ cluster, from, g }: { cluster: string; from: string; g: ClusterGraph }) {
  const router = useRouter();
  const [to, setTo] = useState('');
  const listId = useId();
  return (
    <form
      className="mt-3 flex gap-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (!to.trim()) return;
        router.push(`/trace?${new URLSearchParams({ cluster, from, to: to.trim() }).toString()}`);
      }}
    >
      <input
        aria-label="Trace to (pod or IP)"
        placeholder="Trace to… pod or IP"
        list={listId}
        value={to}
        onChange={(e) => setTo(e.target.value)}
        className="min-w-0 flex-1 rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
      />
      <datalist id={listId}>
        {g.pods
          .filter((p) => p.topoId !== from)
          .slice(0, 500)
          .map((p) => (
            <option key={p.id} value={p.topoId}>
              {p.ips[0] ?? ''}
            </option>
          ))}
      </datalist>
      <button type="submit" className="rounded bg-blue-600 px-3 py-1 text-white hover:bg-blue-700">
        Trace
      </button>
    </form>
  );
}

function PodFacts({ p, g, cluster }: { p: GraphPod; g: ClusterGraph; cluster: string }) {
  const ns = p.netns ? g.netns.find((n) => n.id === p.netns) : undefined;
  const node = g.nodes.find((n) => n.id === p.node);
  return (
    <>
      <dl>
        <Row k="pod">{p.topoId}</Row>
        <Row k="node">{node?.name ?? 'unknown'}</Row>
        <Row k="IPs">{p.ips.join(', ') || 'unknown'}</Row>
        {p.phase ? <Row k="phase">{p.phase}</Row> : null}
        <Row k="netns">{p.hostNetwork ? 'host (hostNetwork)' : (p.netns ?? 'not captured')}</Row>
        <Snapshot node={node} />
      </dl>
      {p.interfaces.map((i) => (
        <section key={i.topoId} className="mt-3 rounded border border-slate-200 p-2 dark:border-slate-700">
          <DeviceFacts d={i} g={g} />
        </section>
      ))}
      <section className="mt-3" aria-label="Way out of the node">
        <h4 className="font-semibold">Way out of the node</h4>
        <ol data-testid="pod-path" className="mt-1 list-decimal space-y-0.5 pl-5">
          {p.pathSteps.map((s, k) => (
            <li key={`${s.id}-${s.stage}-${k}`} data-element-id={s.id} data-stage={s.stage}>
              <span className="mr-1 rounded bg-amber-100 px-1 text-[10px] uppercase text-amber-900 dark:bg-amber-900 dark:text-amber-100">{s.stage}</span>
              {s.text}
            </li>
          ))}
        </ol>
        {p.pathNote ? <p className="mt-1 text-amber-700 dark:text-amber-300">{p.pathNote}</p> : null}
      </section>
      <TraceTo cluster={cluster} from={p.topoId} g={g} />
      <NetnsTables ns={ns} />
    </>
  );
}

function NodeFacts({ n, g }: { n: GraphNode; g: ClusterGraph }) {
  const host = g.netns.find((x) => x.node === n.id && x.kind === 'host');
  return (
    <>
      <dl>
        <Row k="node">{n.name}</Row>
        <Row k="addresses">{n.addresses.join(', ') || 'unknown'}</Row>
        <Row k="pod CIDRs">{n.podCidrs.join(', ') || 'unknown'}</Row>
        <Row k="ip_forward">{n.ipForward === null ? 'unknown' : n.ipForward ? 'on' : 'OFF — forwarded pod traffic is dropped'}</Row>
        <Row k="pods / devices">{`${n.podCount} / ${n.deviceCount}`}</Row>
        <Row k="datapath">{n.datapath === 'ebpf' ? 'eBPF (Cilium): a route-based trace is not faithful here' : 'route-based'}</Row>
        {n.tunnels.map((t) => (
          <Row key={t.name} k="tunnel">{`${t.name} ${t.kind}${t.vni !== null ? ` VNI ${t.vni}` : ''}${t.local ? ` local ${t.local}` : ''}${t.dev ? ` via ${t.dev}` : ''}${t.mtu !== null ? ` mtu ${t.mtu}` : ''}`}</Row>
        ))}
        <Row k="peer links">{n.peerLinks}</Row>
        <Snapshot node={n} />
      </dl>
      {n.warnings.length > 0 ? <Lines title="Warnings" lines={n.warnings} empty="" /> : null}
      {!n.expanded ? <p className="mt-3 text-slate-500">Double-click the node (or use “Open node”) to see its devices and pods.</p> : <NetnsTables ns={host} />}
    </>
  );
}

function EdgeFacts({ e }: { e: GraphEdge }) {
  return (
    <>
      <dl>
        <Row k="kind">{e.aggregated && e.count > 1 ? `${e.kind} ×${e.count}` : e.kind}</Row>
        {e.label ? <Row k="label">{e.label}</Row> : null}
        {e.vni !== null ? <Row k="VNI">{e.vni}</Row> : null}
        {e.outerSrc || e.outerDst ? <Row k="outer">{`${e.outerSrc ?? '?'} → ${e.outerDst ?? '?'}${e.dstPort !== null ? ` udp ${e.dstPort}` : ''}`}</Row> : null}
        <Row k="read or inferred">{e.inferred ? 'inferred by podnet' : 'read from the evidence'}</Row>
        {e.mtuMismatch ? <Row k="MTU">mismatch between the ends</Row> : null}
        {e.down ? <Row k="state">an end is down</Row> : null}
      </dl>
      <Lines title="Evidence" lines={e.evidence} empty="none recorded" />
    </>
  );
}

/** Props of the panel. */
export interface DetailsPanelProps {
  graph: ClusterGraph;
  cluster: string;
  selected: string | null;
  onExpand(node: string): void;
}

export function DetailsPanel({ graph, cluster, selected, onExpand }: DetailsPanelProps) {
  if (!selected) {
    return <p className="text-slate-500">Select a node, device or pod to see its facts. Click a pod to see its way out of the node.</p>;
  }
  const pod = graph.pods.find((p) => p.id === selected);
  const device = pod ? undefined : graph.devices.find((d) => d.id === selected);
  const node = pod || device ? undefined : graph.nodes.find((n) => n.id === selected);
  const edge = pod || device || node ? undefined : graph.edges.find((e) => e.id === selected);
  let title = '';
  let body: ReactNode = <p>Not in the current view.</p>;
  if (pod) {
    title = `Pod ${pod.topoId}`;
    body = <PodFacts p={pod} g={graph} cluster={cluster} />;
  } else if (device) {
    title = `Interface ${device.name}`;
    const ns = graph.netns.find((n) => n.id === device.netns);
    const node2 = graph.nodes.find((n) => n.id === device.node);
    const tunnel = device.role === 'vtep' || device.role === 'ip-tunnel';
    body = (
      <>
        <DeviceFacts d={device} g={graph} />
        <dl>
          <Row k="node">{node2?.name ?? ''}</Row>
          <Snapshot node={node2} />
        </dl>
        <NetnsTables ns={ns} {...(tunnel ? { dev: device.name } : {})} />
      </>
    );
  } else if (node) {
    title = `Node ${node.name}`;
    body = (
      <>
        {!node.expanded ? (
          <button type="button" className="mb-2 rounded border border-slate-300 px-2 py-1 dark:border-slate-700" onClick={() => onExpand(node.name)}>
            Open node
          </button>
        ) : null}
        <NodeFacts n={node} g={graph} />
      </>
    );
  } else if (edge) {
    title = `Link ${edge.kind}`;
    body = <EdgeFacts e={edge} />;
  }
  return (
    <div aria-label="Details" role="region" className="text-xs">
      <h3 className="mb-2 text-sm font-semibold">{title}</h3>
      {body}
    </div>
  );
}
