'use client';
/**
 * The question: which cluster, from where, to where, how big a packet.
 * Endpoints accept a pod (`namespace/name`), a netns name or an IP, with the
 * cluster's pods and node addresses suggested. Asking always asks about the
 * latest data; a pinned answer is reached through its link.
 */
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/Button';
import { useEndpointSuggestions } from './useEndpointSuggestions';
import type { TraceQuery } from './format';

const inputClass =
  'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-400 focus:border-sky-600 focus:outline-none dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100';

export interface TraceFormProps {
  clusters: string[];
  initial: Partial<TraceQuery>;
  onSubmit(q: TraceQuery): void;
}

export function TraceForm({ clusters, initial, onSubmit }: TraceFormProps) {
  const [cluster, setCluster] = useState(initial.cluster ?? clusters[0] ?? '');
  const [from, setFrom] = useState(initial.from ?? '');
  const [to, setTo] = useState(initial.to ?? '');
  const [size, setSize] = useState(initial.size !== undefined ? String(initial.size) : '');
  const suggestions = useEndpointSuggestions(cluster || undefined, initial.at);
  const sizeNumber = size.trim() === '' ? undefined : Number(size);
  const sizeInvalid = sizeNumber !== undefined && (!Number.isInteger(sizeNumber) || sizeNumber < 20 || sizeNumber > 65535);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!cluster || !from.trim() || !to.trim() || sizeInvalid) return;
    onSubmit({ cluster, from: from.trim(), to: to.trim(), ...(sizeNumber !== undefined ? { size: sizeNumber } : {}) });
  }

  return (
    <form onSubmit={submit} aria-label="Trace a packet" className="grid gap-3 rounded-lg border border-slate-200 p-4 md:grid-cols-[10rem_1fr_1fr_8rem_auto] md:items-end dark:border-slate-700">
      <label className="grid gap-1 text-sm font-medium">
        Cluster
        <select className={inputClass} value={cluster} onChange={(e) => setCluster(e.target.value)}>
          {cluster !== '' && !clusters.includes(cluster) && <option value={cluster}>{cluster}</option>}
          {clusters.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      </label>
      <label className="grid gap-1 text-sm font-medium">
        From
        <input className={inputClass} list="trace-endpoints" value={from} onChange={(e) => setFrom(e.target.value)} placeholder="pod namespace/name, netns or IP" required autoComplete="off" spellCheck={false} />
      </label>
      <label className="grid gap-1 text-sm font-medium">
        To
        <input className={inputClass} list="trace-endpoints" value={to} onChange={(e) => setTo(e.target.value)} placeholder="pod namespace/name, netns or IP" required autoComplete="off" spellCheck={false} />
      </label>
      <label className="grid gap-1 text-sm font-medium">
        Size (bytes)
        <input
          className={inputClass}
          inputMode="numeric"
          value={size}
          onChange={(e) => setSize(e.target.value)}
          placeholder="84"
          aria-invalid={sizeInvalid}
          aria-describedby={sizeInvalid ? 'size-error' : undefined}
        />
      </label>
      <Button type="submit" variant="primary" disabled={!cluster || !from.trim() || !to.trim() || sizeInvalid}>
        Trace
      </Button>
      {sizeInvalid && (
        <p id="size-error" role="alert" className="text-sm text-red-700 md:col-span-5 dark:text-red-300">
          Size is the whole IP packet in bytes: a whole number from 20 to 65535.
        </p>
      )}
      <datalist id="trace-endpoints">
        {(suggestions.data ?? []).map((s, i) => (
          <option key={`${s.value}-${i}`} value={s.value} label={s.label} />
        ))}
      </datalist>
    </form>
  );
}
