'use client';
/**
 * The trace page: the question (form), then the answer pinned to a
 * revision — verdict, staleness and retention notices, the shareable link,
 * the hop-by-hop timeline, the path graph and the predicted traceroute.
 * All state is in the URL, so a copied link reproduces the view.
 */
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { ApiRequestError } from '@/components/api/client';
import { useClusters, useRevision, useTrace } from '@/components/api/hooks';
import { Banner } from '@/components/ui/Banner';
import { Button } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { Spinner } from '@/components/ui/Spinner';
import type { TraceResponse } from '@/lib/api/types';
import type { TraceEndpoint } from '@/lib/trace/types';
import { parseTraceQuery, pinnedHref, traceHref, verdictHeadline, type TraceQuery } from './format';
import { HopTimeline } from './HopTimeline';
import { PathGraph } from './PathGraph';
import { ServiceForks } from './ServiceForks';
import { PinBar } from './PinBar';
import { TraceForm } from './TraceForm';
import { TracerouteList } from './TracerouteList';

function endpointText(e: TraceEndpoint): string {
  const what = e.pod ? `${e.pod} (${e.ip}${e.node ? `, ${e.node}` : ''})` : `${e.ip}${e.node ? ` (${e.node})` : ''}`;
  return e.input !== e.pod && e.input !== e.ip ? `${e.input} = ${what}` : what;
}

function errorText(err: unknown): { message: string; where?: string } {
  if (err instanceof ApiRequestError) {
    const where = err.body?.field !== undefined ? `field ${err.body.field}` : err.body?.line !== undefined ? `line ${err.body.line}` : undefined;
    return { message: err.message, ...(where ? { where } : {}) };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

function Answer({ res, query, polledRevision, onLatest }: { res: TraceResponse; query: TraceQuery; polledRevision: number | undefined; onLatest(): void }) {
  const t = res.trace;
  const verdict = verdictHeadline(t);
  const latest = Math.max(res.latestRevision, polledRevision ?? 0);
  const pinned = query.at !== undefined;
  return (
    <div className="space-y-4">
      <Banner tone={verdict.tone} label="Verdict" title={verdict.title} testId="verdict">
        <p>{t.reason}</p>
        <p className="mt-1 text-slate-700 dark:text-slate-300">
          {endpointText(t.from)} → {endpointText(t.to)}, {t.size} bytes
        </p>
      </Banner>

      {latest > res.revision && (
        <Banner
          tone="info"
          label="Newer data"
          title={`Newer data exists: the cluster is at revision ${latest}; this answer is from revision ${res.revision}.`}
          actions={
            <Button variant="primary" size="sm" onClick={onLatest}>
              Re-run on latest
            </Button>
          }
        />
      )}

      {res.missing.length > 0 && (
        <Banner tone="warning" label="Missing evidence" title="Retention deleted evidence this trace needed">
          <p>
            This revision used snapshots that have since been removed, so the trace was computed without them and may differ from what it showed
            before:
          </p>
          <ul className="mt-1 list-disc pl-5">
            {res.missing.map((m) => (
              <li key={m.snapshotId}>
                node {m.node} (snapshot {m.snapshotId})
              </li>
            ))}
          </ul>
        </Banner>
      )}

      <PinBar revision={res.revision} pinned={pinned} href={pinnedHref(query, res)} />

      {t.warnings.length > 0 && (
        <section aria-label="Warnings" className="rounded-lg border border-amber-300 px-4 py-2 text-sm dark:border-amber-700">
          <h2 className="font-semibold">Warnings</h2>
          <ul className="list-disc pl-5">
            {t.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </section>
      )}

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <HopTimeline hops={t.hops} />
        <aside className="space-y-4 lg:sticky lg:top-4 lg:self-start">
          {t.hops.length > 0 && <PathGraph hops={t.hops} verdict={t.verdict} />}
          <TracerouteList lines={t.traceroute} to={t.to.ip} {...(t.forks ? { label: 'Predicted traceroute (shared part)' } : {})} />
        </aside>
      </div>
      <ServiceForks trace={t} />
    </div>
  );
}

export function TraceView() {
  const params = useSearchParams();
  const router = useRouter();
  const parsed = useMemo(() => parseTraceQuery(new URLSearchParams(params.toString())), [params]);
  const clusters = useClusters();
  const clusterNames = clusters.data?.clusters.map((c) => c.name) ?? [];
  const cluster = parsed.cluster ?? clusterNames[0];
  const trace = useTrace({ ...parsed, cluster });
  const revision = useRevision(cluster);
  const query: TraceQuery | undefined = cluster && parsed.from && parsed.to ? { ...parsed, cluster, from: parsed.from, to: parsed.to } : undefined;

  function goLatest() {
    if (!query) return;
    if (query.at === undefined) void trace.refetch();
    else router.push(traceHref({ ...query, at: undefined }));
  }

  return (
    <main className="mx-auto max-w-7xl space-y-5 px-4 py-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Trace a packet</h1>
        <nav aria-label="Views" className="flex gap-4 text-sm">
          <Link href={cluster ? `/?cluster=${encodeURIComponent(cluster)}` : '/'} className="text-sky-800 underline dark:text-sky-300">
            Graph
          </Link>
          <Link href="/upload" className="text-sky-800 underline dark:text-sky-300">
            Upload evidence
          </Link>
        </nav>
      </div>

      {clusters.isSuccess || parsed.cluster ? (
        <TraceForm
          // A new URL (back/forward, a pasted link) resets the fields to it.
          key={params.toString() + (cluster ?? '')}
          clusters={clusterNames}
          initial={{ ...parsed, ...(cluster ? { cluster } : {}) }}
          onSubmit={(q) => router.push(traceHref(q), { scroll: false })}
        />
      ) : clusters.isError ? (
        <Banner tone="danger" title="Could not list the clusters">{errorText(clusters.error).message}</Banner>
      ) : (
        <Spinner label="Loading clusters…" />
      )}

      {clusters.isSuccess && clusterNames.length === 0 && !parsed.cluster ? (
        <EmptyState title="No cluster yet" action={<Link className="text-sky-800 underline dark:text-sky-300" href="/upload">Upload evidence</Link>}>
          Upload a node snapshot or a terminal transcript to create one.
        </EmptyState>
      ) : !query ? (
        <EmptyState title="Pick a source and a destination">
          A pod as <code>namespace/name</code>, a netns name, or an IP address. The answer follows the packet through every veth, bridge, route and tunnel the
          evidence shows.
        </EmptyState>
      ) : trace.isPending ? (
        <Spinner label={`Tracing ${query.from} → ${query.to}…`} />
      ) : trace.isError ? (
        <Banner tone="danger" label="Trace error" title="The trace could not run">
          {(() => {
            const e = errorText(trace.error);
            return (
              <>
                {e.message}
                {e.where ? ` (${e.where})` : ''}
              </>
            );
          })()}
        </Banner>
      ) : (
        <Answer res={trace.data} query={query} polledRevision={revision.data?.revision} onLatest={goLatest} />
      )}
    </main>
  );
}
