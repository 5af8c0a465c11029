/**
 * A trace to a Service forks where kube-proxy DNATs it (DOMAIN §6): one
 * timeline per ready endpoint, each continuing from the DNAT hop with the
 * rewritten destination, with its own verdict and predicted traceroute.
 */
import type { Trace, TraceFork } from '@/lib/trace/types';
import { DROP_REASONS } from './format';
import { HopTimeline } from './HopTimeline';
import { TracerouteList } from './TracerouteList';

function endpointLabel(f: TraceFork): string {
  const e = f.endpoint;
  return `${e.ip}${e.port !== undefined ? `:${e.port}` : ''}${e.pod ? ` (${e.pod}${e.node ? ` on ${e.node}` : ''})` : ''}`;
}

const VERDICT_STYLE: Record<TraceFork['verdict'], string> = {
  delivered: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100',
  'exits-network': 'bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100',
  dropped: 'bg-red-100 text-red-800 dark:bg-red-900/70 dark:text-red-100',
  loop: 'bg-red-100 text-red-800 dark:bg-red-900/70 dark:text-red-100',
  'insufficient-information': 'bg-amber-100 text-amber-900 dark:bg-amber-900/70 dark:text-amber-100',
};

export function ServiceForks({ trace }: { trace: Trace }) {
  const forks = trace.forks ?? [];
  const service = trace.service;
  if (forks.length === 0 || !service) return null;
  // The DNAT hop is the last shared one; each fork repeats it with its own endpoint.
  const from = Math.max(0, trace.hops.length - 1);
  const port = service.address.split('/')[0]?.split(':')[1];
  const proto = service.address.split('/')[1];
  const command = `traceroute -n ${proto === 'tcp' ? '-T' : '-U'}${port !== undefined ? ` -p ${port}` : ''} ${trace.to.ip}`;
  return (
    <section aria-labelledby="forks-heading" className="space-y-6">
      <div>
        <h2 id="forks-heading" className="text-lg font-semibold">
          Service {service.name}: {forks.length} endpoint{forks.length === 1 ? '' : 's'}
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          kube-proxy DNATs {service.address} to one ready endpoint per new connection. Rule: <code className="font-mono break-all">{service.rule}</code>
        </p>
      </div>
      <ol className="space-y-8">
        {forks.map((f, k) => (
          <li key={`${f.endpoint.ip}:${f.endpoint.port ?? ''}`}>
            <section aria-label={`Endpoint ${k + 1}: ${endpointLabel(f)}`} className="space-y-3 rounded-lg border border-slate-200 p-4 dark:border-slate-700">
              <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
                <h3 className="font-mono text-base font-semibold">{endpointLabel(f)}</h3>
                <span className="text-sm text-slate-500 dark:text-slate-400">{Math.round(f.endpoint.probability * 1000) / 10}% of new connections</span>
                <span className={`rounded px-2 py-0.5 text-xs font-semibold uppercase ${VERDICT_STYLE[f.verdict]}`}>
                  {f.verdict}
                  {f.dropReason ? `: ${DROP_REASONS[f.dropReason]}` : ''}
                </span>
              </header>
              <p className="text-sm">{f.reason}</p>
              <HopTimeline hops={f.hops.slice(from)} firstIndex={from} title="Hops from the DNAT" headingId={`fork-${k}-hops`} />
              <TracerouteList
                lines={f.traceroute}
                to={trace.to.ip}
                command={command}
                label={`Predicted traceroute via ${f.endpoint.ip}`}
                headingId={`fork-${k}-traceroute`}
              />
            </section>
          </li>
        ))}
      </ol>
    </section>
  );
}
