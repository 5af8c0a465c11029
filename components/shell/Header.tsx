'use client';
/**
 * The header every page shares: logo, cluster picker (the `cluster` query
 * parameter), links to the graph, trace and upload views, and the theme toggle.
 */
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect } from 'react';
import { useClusters } from '@/components/api/hooks';
import { applyStoredTheme, useTheme } from './theme';

const NAV = [
  { href: '/', label: 'Graph' },
  { href: '/trace', label: 'Trace' },
  { href: '/upload', label: 'Upload' },
] as const;

/** The cluster the URL names, else the first one the server lists. */
export function useSelectedCluster(): string | undefined {
  const params = useSearchParams();
  const clusters = useClusters();
  const named = params.get('cluster');
  if (named) return named;
  return clusters.data?.clusters[0]?.name;
}

export function Header() {
  const { theme, toggle } = useTheme();
  const clusters = useClusters();
  const cluster = useSelectedCluster();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();

  useEffect(() => applyStoredTheme(), []);

  const withCluster = (href: string): string => (cluster ? `${href}?cluster=${encodeURIComponent(cluster)}` : href);

  return (
    <header className="flex flex-wrap items-center gap-4 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
      <Link href={withCluster('/')} className="flex items-center gap-2 font-bold tracking-tight" aria-label="podnet home">
        <svg aria-hidden width="22" height="22" viewBox="0 0 24 24" className="text-blue-600 dark:text-blue-400">
          <circle cx="5" cy="12" r="3" fill="currentColor" />
          <circle cx="19" cy="5" r="3" fill="currentColor" />
          <circle cx="19" cy="19" r="3" fill="currentColor" />
          <path d="M7.5 11 16.5 6M7.5 13l9 5" stroke="currentColor" strokeWidth="1.8" />
        </svg>
        podnet
      </Link>
      <nav aria-label="Main" className="flex gap-1 text-sm">
        {NAV.map((n) => (
          <Link
            key={n.href}
            href={withCluster(n.href)}
            aria-current={pathname === n.href ? 'page' : undefined}
            className="rounded px-2 py-1 hover:bg-slate-100 aria-[current=page]:bg-slate-200 dark:hover:bg-slate-800 dark:aria-[current=page]:bg-slate-700"
          >
            {n.label}
          </Link>
        ))}
      </nav>
      <label className="ml-auto flex items-center gap-2 text-sm">
        <span>Cluster</span>
        <select
          aria-label="Cluster"
          className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
          value={cluster ?? ''}
          onChange={(e) => {
            const next = new URLSearchParams(params.toString());
            next.set('cluster', e.target.value);
            router.replace(`${pathname}?${next.toString()}`);
          }}
        >
          {cluster && !clusters.data?.clusters.some((c) => c.name === cluster) ? <option value={cluster}>{cluster}</option> : null}
          {(clusters.data?.clusters ?? []).map((c) => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.nodes} nodes)
            </option>
          ))}
        </select>
      </label>
      <button
        type="button"
        onClick={toggle}
        aria-label={theme === 'dark' ? 'Switch to light mode' : 'Switch to dark mode'}
        className="rounded border border-slate-300 px-2 py-1 text-sm dark:border-slate-700"
      >
        {theme === 'dark' ? '☀ Light' : '☾ Dark'}
      </button>
    </header>
  );
}
