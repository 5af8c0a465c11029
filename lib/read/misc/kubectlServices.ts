/**
 * `kubectl get svc [-A] [-o wide]` and `kubectl get endpoints [-A]` tables →
 * Services (ClusterIP, ports, NodePorts) and their ready endpoints. kubectl
 * prints only ready addresses in ENDPOINTS and cuts long lists to three with
 * `+ N more...`; a cut list is kept and marked `truncated`.
 */
import type { K8sEndpoints, K8sService } from '../../snapshot/schema';
import { isIp } from '../../net/ip';
import type { ParseOutput } from '../types';
import { skipLine } from './lineText';

type Port = NonNullable<K8sService['ports']>[number];

/** `53/UDP`, `80:30080/TCP`, `443/TCP`. */
function parsePorts(cell: string): Port[] | null {
  if (cell === '<none>') return [];
  const ports: Port[] = [];
  for (const part of cell.split(',')) {
    const m = /^(\d{1,5})(?::(\d{1,5}))?\/(TCP|UDP|SCTP)$/.exec(part);
    if (!m) return null;
    const port: Port = { port: Number(m[1]), protocol: m[3] as Port['protocol'] };
    if (m[2] !== undefined) port.nodePort = Number(m[2]);
    if (port.port > 65535 || (port.nodePort ?? 0) > 65535) return null;
    ports.push(port);
  }
  return ports;
}

/** Parses `kubectl get svc` (any of -A, -o wide). Never throws. */
export function parseKubectlGetServices(lines: readonly string[], firstLine: number, opts: { namespace?: string } = {}): ParseOutput<K8sService> {
  const out: ParseOutput<K8sService> = { items: [], warnings: [], skipped: [] };
  let cols: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = firstLine + i;
    const text = (lines[i] ?? '').replace(/\r/g, '').trim();
    if (text === '') continue;
    if (/^(NAMESPACE\s+)?NAME\s+TYPE\s+CLUSTER-IP/.test(text)) {
      cols = text.split(/\s+/);
      continue;
    }
    if (/^No resources found/.test(text)) continue;
    if (!cols) {
      out.skipped.push(skipLine(line, text, 'not a kubectl get svc row: no NAME TYPE CLUSTER-IP header above it'));
      continue;
    }
    const cells = text.split(/\s+/);
    const at = (c: string): string | undefined => {
      const k = cols?.indexOf(c) ?? -1;
      return k >= 0 ? cells[k] : undefined;
    };
    const name = at('NAME');
    const type = at('TYPE');
    const clusterIp = at('CLUSTER-IP');
    const ports = parsePorts(at('PORT(S)') ?? '');
    if (cells.length < cols.length - 1 || name === undefined || type === undefined || clusterIp === undefined || ports === null) {
      out.skipped.push(skipLine(line, text, 'not a kubectl get svc row (NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S))'));
      continue;
    }
    if (clusterIp !== 'None' && !isIp(clusterIp)) {
      out.skipped.push(skipLine(line, text, `CLUSTER-IP ${clusterIp.slice(0, 60)} is not an address`));
      continue;
    }
    const svc: K8sService = { name, type, ports };
    const ns = at('NAMESPACE') ?? opts.namespace;
    if (ns !== undefined) svc.namespace = ns;
    if (clusterIp !== 'None') svc.clusterIp = clusterIp;
    const ext = (at('EXTERNAL-IP') ?? '').split(',').filter(isIp);
    if (ext.length > 0) svc.externalIps = ext;
    out.items.push(svc);
  }
  return out;
}

/** Parses `kubectl get endpoints` (ENDPOINTS as `10.244.1.3:53,10.244.2.4:53 + 3 more...`). Never throws. */
export function parseKubectlGetEndpoints(lines: readonly string[], firstLine: number, opts: { namespace?: string } = {}): ParseOutput<K8sEndpoints> {
  const out: ParseOutput<K8sEndpoints> = { items: [], warnings: [], skipped: [] };
  let hasNs: boolean | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = firstLine + i;
    const text = (lines[i] ?? '').replace(/\r/g, '').trim();
    if (text === '' || /^No resources found/.test(text) || /^Warning: v1 Endpoints is deprecated/.test(text)) continue;
    if (/^(NAMESPACE\s+)?NAME\s+ENDPOINTS\s+AGE$/.test(text)) {
      hasNs = text.startsWith('NAMESPACE');
      continue;
    }
    const cells = text.split(/\s+/);
    if (hasNs === null || cells.length < (hasNs ? 4 : 3)) {
      out.skipped.push(skipLine(line, text, 'not a kubectl get endpoints row (NAME ENDPOINTS AGE)'));
      continue;
    }
    const ns = hasNs ? cells[0] : opts.namespace;
    const name = cells[hasNs ? 1 : 0] as string;
    const list = cells.slice(hasNs ? 2 : 1, -1).join(' ');
    const more = /\s*\+\s*\d+\s+more\.\.\.$/.exec(list);
    const addrs = (more ? list.slice(0, more.index) : list).trim();
    const ep: K8sEndpoints = { name, addresses: [] };
    if (ns !== undefined) ep.namespace = ns;
    let bad = false;
    if (addrs !== '<none>') {
      for (const a of addrs.split(',')) {
        const m = /^(.+):(\d{1,5})$/.exec(a);
        const ip = m ? (m[1] as string) : a;
        if (!isIp(ip) || (m && Number(m[2]) > 65535)) {
          bad = true;
          break;
        }
        if (!ep.addresses.some((x) => x.ip === ip && x.port === (m ? Number(m[2]) : undefined))) {
          ep.addresses.push(m ? { ip, port: Number(m[2]) } : { ip });
        }
      }
    }
    if (bad) {
      out.skipped.push(skipLine(line, text, 'ENDPOINTS is not a list of IP:PORT'));
      continue;
    }
    if (more) ep.truncated = true;
    out.items.push(ep);
  }
  return out;
}
