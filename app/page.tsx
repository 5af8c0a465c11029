import { Suspense } from 'react';
import { GraphView } from '@/components/graph/GraphView';
import { Header } from '@/components/shell/Header';

/** `/`: the cluster graph. */
export default function GraphPage() {
  return (
    <Suspense fallback={null}>
      <Header />
      <GraphView />
    </Suspense>
  );
}
