import type { Metadata } from 'next';
import { Suspense } from 'react';
import { TraceView } from '@/components/trace/TraceView';
import { Spinner } from '@/components/ui/Spinner';

export const metadata: Metadata = { title: 'Trace · podnet' };

/** `/trace?cluster=&from=&to=&at=&size=`: the state is the URL; the view is a client component. */
export default function TracePage() {
  return (
    <Suspense fallback={<Spinner label="Loading…" className="m-6" />}>
      <TraceView />
    </Suspense>
  );
}
