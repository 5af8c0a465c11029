'use client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';

/** One QueryClient per browser session. */
export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 2_000, refetchOnWindowFocus: false } } }),
  );
  // Marks the page interactive: input typed before hydration would not reach React's state, so the
  // browser tests wait for this before they type (and so can anyone scripting the dashboard).
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
