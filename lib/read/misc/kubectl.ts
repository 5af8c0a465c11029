/**
 * kubectl output: `get pods [-o wide] [-A]`, `get nodes [-o wide]`,
 * `describe node`, and the JSON of `get pods|nodes -o json`. These give pod
 * identity (name, namespace, IP, node) and node facts (InternalIP, podCIDR,
 * flannel/Calico annotations) that the ip output lacks.
 */
import type { K8sNode, K8sPod } from '../../snapshot/schema';
import { isIp } from '../../net/ip';
import type { ParseOutput } from '../types';
import { skipLine } from './lineText';

// Column titles that contain a space, joined so a header can be split on whitespace
// even when a paste collapsed the alignment.
const MULTIWORD_COLUMNS: Array<[RegExp, string]> = [
  [/NOMINATED NODE/g, 'NOMINATED_NODE'],
  [/READINESS GATES/g, 'READINESS_GATES'],
];

function headerColumns(line: string): string[] {
  let t = line.trim();
  for (const [re, joined] of MULTIWORD_COLUMNS) t = t.replace(re, joined);
  return t.split(/\s+/);
}

const DNS_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * Splits a table row into cells. Only RESTARTS may contain spaces
 * (`3 (2d ago)`): its parenthesised part is folded back into the cell.
 */
function rowCells(line: string): string[] {
  const words = line.trim().split(/\s+/);
  const cells: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w.startsWith('(') && cells.length > 0 && /^\d+$/.test(cells[cells.length - 1] as string)) {
      let j = i;
      let part = w;
      while (!part.endsWith(')') && j + 1 < words.length) {
        j++;
        part += ` ${words[j] as string}`;
      }
      cells[cells.length - 1] += ` ${part}`;
      i = j;
      continue;
    }
    cells.push(w);
  }
  return cells;
}

function phaseOf(status: string): string | undefined {
  if (['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'].includes(status)) return status;
  if (status === 'Completed') return 'Succeeded';
  if (/^(ContainerCreating|PodInitializing|Init:)/.test(status)) return 'Pending';
  if (status === 'Error' || status === 'Evicted') return 'Failed';
  return undefined;
}

function noneToUndefined(v: string | undefined): string | undefined {
  return v === undefined || v === '<none>' || v === '<unknown>' || v === '<pending>' ? undefined : v;
}

/**
 * Parses `kubectl get pods` in table form, with or without `-o wide` and
 * the NAMESPACE column of `-A`. `namespace` is the `-n` value, used when the
 * table has no NAMESPACE column. Never throws.
 */
export function parseKubectlGetPods(
  lines: string[],
  firstLine: number,
  opts: { namespace?: string } = {},
): ParseOutput<K8sPod> {
  const out: ParseOutput<K8sPod> = { items: [], warnings: [], skipped: [] };
  let columns: string[] | null = null;
  lines.forEach((raw, i) => {
    const lineNo = firstLine + i;
    const text = raw.trim();
    if (text === '') return;
    if (/^(NAMESPACE\s+)?NAME\s+READY\s+STATUS/.test(text)) {
      columns = headerColumns(text);
      return;
    }
    if (/^No resources found/.test(text)) return;
    if (/^(Error from server|error:)/.test(text)) {
      out.warnings.push({ line: lineNo, message: `kubectl: ${text.slice(0, 200)}` });
      return;
    }
    if (columns === null) {
      out.skipped.push(skipLine(lineNo, raw, 'a kubectl row before its header'));
      return;
    }
    const cols: string[] = columns;
    const cells = rowCells(text);
    const cell = (name: string): string | undefined => {
      const idx = cols.indexOf(name);
      return idx >= 0 ? cells[idx] : undefined;
    };
    const name = cell('NAME');
    if (name === undefined || !DNS_NAME.test(name) || cells.length < Math.min(cols.length, 5)) {
      out.skipped.push(skipLine(lineNo, raw, 'not a kubectl get pods row'));
      return;
    }
    const pod: K8sPod = { name };
    const ns = cell('NAMESPACE') ?? opts.namespace;
    if (ns !== undefined && DNS_NAME.test(ns)) pod.namespace = ns;
    const status = cell('STATUS');
    const phase = status !== undefined ? phaseOf(status) : undefined;
    if (phase !== undefined) pod.phase = phase;
    const ready = /^(\d+)\/(\d+)$/.exec(cell('READY') ?? '');
    if (ready) pod.ready = Number(ready[2]) > 0 && ready[1] === ready[2] && status === 'Running';
    const ip = noneToUndefined(cell('IP'));
    if (ip !== undefined) {
      if (isIp(ip)) pod.ip = ip;
      else out.warnings.push({ line: lineNo, message: `pod ${name}: IP column holds ${JSON.stringify(ip.slice(0, 64))}, not an address` });
    }
    const node = noneToUndefined(cell('NODE'));
    if (node !== undefined && node.length <= 253) pod.node = node;
    out.items.push(pod);
  });
  return out;
}

/** Parses `kubectl get nodes [-o wide]` (INTERNAL-IP, EXTERNAL-IP). Never throws. */
export function parseKubectlGetNodes(lines: string[], firstLine: number): ParseOutput<K8sNode> {
  const out: ParseOutput<K8sNode> = { items: [], warnings: [], skipped: [] };
  let columns: string[] | null = null;
  lines.forEach((raw, i) => {
    const lineNo = firstLine + i;
    const text = raw.trim();
    if (text === '') return;
    if (/^NAME\s+STATUS\s+ROLES/.test(text)) {
      columns = headerColumns(text);
      return;
    }
    if (columns === null) {
      out.skipped.push(skipLine(lineNo, raw, 'a kubectl row before its header'));
      return;
    }
    const cols: string[] = columns;
    const cells = text.split(/\s+/);
    const name = cells[0];
    if (name === undefined || !DNS_NAME.test(name) || cells.length < 3) {
      out.skipped.push(skipLine(lineNo, raw, 'not a kubectl get nodes row'));
      return;
    }
    const node: K8sNode = { name };
    const idx = cols.indexOf('INTERNAL-IP');
    // Columns before OS-IMAGE never contain spaces, so the index holds.
    const internal = idx >= 0 ? cells[idx] : undefined;
    if (internal !== undefined && isIp(internal)) node.addresses = [internal];
    out.items.push(node);
  });
  return out;
}

const ANNOTATION_KEY = /^([a-zA-Z0-9][\w.-]*(?:\/[\w.-]+)?):(?:\s+(.*))?$/;
const TOP_FIELD = /^([A-Z][A-Za-z]*):(?:\s+(.*))?$/;

/**
 * Parses `kubectl describe node[s]`. Annotation values that a terminal
 * wrapped onto the next line (no `key:` of their own) are joined back.
 * Never throws.
 */
export function parseKubectlDescribeNode(lines: string[], firstLine: number): ParseOutput<K8sNode> {
  const out: ParseOutput<K8sNode> = { items: [], warnings: [], skipped: [] };
  let node: K8sNode | null = null;
  let section: string | null = null;
  let lastAnnotation: string | null = null;
  const finish = (): void => {
    if (node) out.items.push(node);
  };
  lines.forEach((raw) => {
    const text = raw.replace(/\s+$/, '');
    if (text.trim() === '') {
      section = null;
      return;
    }
    const top = /^\S/.test(text) ? TOP_FIELD.exec(text) : null;
    if (top) {
      const field = top[1] as string;
      const value = (top[2] ?? '').trim();
      section = field;
      lastAnnotation = null;
      if (field === 'Name') {
        finish();
        node = DNS_NAME.test(value) ? { name: value } : null;
        return;
      }
      if (node === null) return;
      if (field === 'Annotations' && value !== '' && value !== '<none>') addAnnotation(node, value, (k) => (lastAnnotation = k));
      if ((field === 'PodCIDR' || field === 'PodCIDRs') && value !== '') {
        const cidrs = value.split(',').map((c) => c.trim()).filter((c) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c));
        const current: string[] = node.podCidrs ?? [];
        node.podCidrs = [...current, ...cidrs.filter((c) => !current.includes(c))];
      }
      return;
    }
    if (node === null) return;
    const n: K8sNode = node;
    if (section === 'Annotations') {
      const trimmed = text.trim();
      if (/^\s/.test(text) && ANNOTATION_KEY.test(trimmed)) {
        addAnnotation(n, trimmed, (k) => (lastAnnotation = k));
      } else if (lastAnnotation !== null && n.annotations) {
        // A wrapped continuation: terminals break lines anywhere, so join without a space.
        const prev = n.annotations[lastAnnotation] ?? '';
        n.annotations[lastAnnotation] = (prev + trimmed).slice(0, 4096);
      }
      return;
    }
    if (section === 'Addresses') {
      const m = /^\s+InternalIP:\s+(\S+)$/.exec(text);
      if (m && isIp(m[1] as string)) {
        const addrs: string[] = n.addresses ?? [];
        if (!addrs.includes(m[1] as string)) n.addresses = [...addrs, m[1] as string];
      }
    }
  });
  finish();
  if (out.items.length === 0 && lines.some((l) => l.trim() !== '')) {
    out.skipped.push(skipLine(firstLine, lines[0] ?? '', 'no `Name:` field of a node'));
  }
  return out;
}

function addAnnotation(node: K8sNode, text: string, remember: (key: string) => void): void {
  const m = ANNOTATION_KEY.exec(text);
  if (!m) return;
  const key = (m[1] as string).slice(0, 256);
  node.annotations = { ...(node.annotations ?? {}), [key]: (m[2] ?? '').trim().slice(0, 4096) };
  remember(key);
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= 253 ? v : undefined;
}

/** What `kubectl get pods|nodes -o json` holds, in snapshot shapes. */
export interface KubectlObjects {
  pods: K8sPod[];
  nodes: K8sNode[];
}

/**
 * Reads `kubectl get … -o json` (a List or one object). Objects other than
 * Pods and Nodes are ignored. Never throws.
 */
export function readKubectlJson(value: unknown): ParseOutput<KubectlObjects> {
  const out: ParseOutput<KubectlObjects> = { items: [], warnings: [], skipped: [] };
  const root = obj(value);
  const found: KubectlObjects = { pods: [], nodes: [] };
  const list = root && Array.isArray(root.items) ? (root.items as unknown[]) : root ? [root] : [];
  for (const item of list) {
    const o = obj(item);
    const meta = obj(o?.metadata);
    const name = str(meta?.name);
    if (!o || !meta || name === undefined) continue;
    const spec = obj(o.spec);
    const status = obj(o.status);
    if (o.kind === 'Pod') {
      const pod: K8sPod = { name };
      const ns = str(meta.namespace);
      if (ns) pod.namespace = ns;
      const uid = str(meta.uid);
      if (uid) pod.uid = uid;
      const ip = str(status?.podIP);
      if (ip && isIp(ip)) pod.ip = ip;
      const ips = Array.isArray(status?.podIPs)
        ? (status.podIPs as unknown[]).map((p) => str(obj(p)?.ip)).filter((p): p is string => p !== undefined && isIp(p))
        : [];
      if (ips.length > 0) pod.ips = ips.slice(0, 16);
      const nodeName = str(spec?.nodeName);
      if (nodeName) pod.node = nodeName;
      if (spec?.hostNetwork === true) pod.hostNetwork = true;
      const phase = str(status?.phase);
      if (phase) pod.phase = phase;
      const conditions = Array.isArray(status?.conditions) ? (status.conditions as unknown[]) : [];
      const ready = conditions.map(obj).find((c) => c?.type === 'Ready');
      if (ready) pod.ready = ready.status === 'True';
      found.pods.push(pod);
    } else if (o.kind === 'Node') {
      const node: K8sNode = { name };
      const addrs = Array.isArray(status?.addresses)
        ? (status.addresses as unknown[])
            .map(obj)
            .filter((a) => a?.type === 'InternalIP')
            .map((a) => str(a?.address))
            .filter((a): a is string => a !== undefined && isIp(a))
        : [];
      if (addrs.length > 0) node.addresses = addrs.slice(0, 64);
      const cidrs = Array.isArray(spec?.podCIDRs) ? (spec.podCIDRs as unknown[]) : spec?.podCIDR ? [spec.podCIDR] : [];
      const podCidrs = cidrs.map(str).filter((c): c is string => c !== undefined && /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c));
      if (podCidrs.length > 0) node.podCidrs = podCidrs.slice(0, 64);
      const ann = obj(meta.annotations);
      if (ann) {
        const annotations: Record<string, string> = {};
        for (const [k, v] of Object.entries(ann)) {
          if (typeof v === 'string' && k.length <= 256) annotations[k] = v.slice(0, 4096);
        }
        node.annotations = annotations;
      }
      found.nodes.push(node);
    }
  }
  if (found.pods.length + found.nodes.length > 0) out.items.push(found);
  else out.warnings.push({ message: 'kubectl JSON held no Pod or Node objects' });
  return out;
}
