/**
 * The hop-by-hop story: hops grouped by the node they are on (a group per
 * stretch of consecutive hops on one node), each hop naming its netns (pod or
 * host) and device, then its typed steps in order.
 */
import type { Hop } from '@/lib/trace/types';
import { encapLine, hopPlace } from './format';
import { StepView } from './StepView';

interface NodeStretch {
  node: string;
  hops: Array<{ hop: Hop; index: number }>;
}

function stretches(hops: Hop[], firstIndex: number): NodeStretch[] {
  const out: NodeStretch[] = [];
  hops.forEach((hop, i) => {
    const index = firstIndex + i;
    const last = out[out.length - 1];
    if (last && last.node === hop.node) last.hops.push({ hop, index });
    else out.push({ node: hop.node, hops: [{ hop, index }] });
  });
  return out;
}

function HopCard({ hop, index }: { hop: Hop; index: number }) {
  const where = hop.pod !== null ? `pod ${hop.pod}` : hop.netns === 'host' ? 'host netns' : `netns ${hop.netns}`;
  return (
    <article
      aria-label={`Hop ${index + 1}: ${hopPlace(hop)}`}
      data-interface-id={hop.interfaceId}
      className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm dark:border-slate-700 dark:bg-slate-900"
    >
      <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <span className="text-xs font-semibold text-slate-500 tabular-nums dark:text-slate-400">#{index + 1}</span>
        <h3 className="font-mono text-base font-semibold">{hop.interface}</h3>
        <span className="text-sm text-slate-600 dark:text-slate-300">{where}</span>
        <span className="text-sm text-slate-500 dark:text-slate-400">on {hop.node}</span>
        {hop.encap !== undefined && (
          <span className="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">
            {encapLine(hop.encap)}
          </span>
        )}
      </header>
      <ol className="mt-1 divide-y divide-slate-100 dark:divide-slate-800" aria-label={`Steps at hop ${index + 1}`}>
        {hop.steps.map((s, i) => (
          <StepView key={i} step={s} />
        ))}
      </ol>
    </article>
  );
}

/**
 * `firstIndex` numbers the hops of a Service endpoint's path where the
 * shared part before the DNAT left off; `headingId` keeps several timelines
 * on one page apart.
 */
export function HopTimeline({ hops, firstIndex = 0, title = 'Hops', headingId = 'hops-heading' }: { hops: Hop[]; firstIndex?: number; title?: string; headingId?: string }) {
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId} className="mb-2 text-lg font-semibold">
        {title} <span className="text-sm font-normal text-slate-500 dark:text-slate-400">({hops.length})</span>
      </h2>
      <ol className="space-y-5">
        {stretches(hops, firstIndex).map((s, i) => (
          <li key={`${s.node}-${i}`}>
            <h3 className="mb-2 flex items-center gap-2 text-sm font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-300">
              <span className="inline-block h-2 w-2 rounded-full bg-sky-600" aria-hidden="true" />
              node {s.node}
            </h3>
            <ol className="space-y-3 border-l-2 border-slate-200 pl-4 dark:border-slate-700">
              {s.hops.map(({ hop, index }) => (
                <li key={index}>
                  <HopCard hop={hop} index={index} />
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
    </section>
  );
}
