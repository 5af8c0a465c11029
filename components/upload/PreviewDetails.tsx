/**
 * What the server read from one file before anything is stored: nodes,
 * pods, veth pairs, bridges, tunnels, the command blocks used, the lines
 * skipped and why, warnings.
 */
import type { ReactNode } from 'react';
import type { ReadPreview } from '@/lib/api/types';

function Group({ title, count, children }: { title: string; count: number; children: ReactNode }) {
  return (
    <details className="group rounded border border-slate-200 px-3 py-1.5 dark:border-slate-700" open={count > 0 && count <= 8}>
      <summary className="cursor-pointer text-sm font-medium">
        {title} <span className="text-slate-500 tabular-nums dark:text-slate-400">({count})</span>
      </summary>
      <div className="mt-1 text-sm">{count === 0 ? <p className="text-slate-500 dark:text-slate-400">none</p> : children}</div>
    </details>
  );
}

const mono = 'font-mono text-[13px] break-all';

export function PreviewDetails({ preview }: { preview: ReadPreview }) {
  return (
    <div className="grid gap-2 md:grid-cols-2" aria-label="What was read">
      <Group title="Nodes" count={preview.nodes.length}>
        <ul className={mono}>{preview.nodes.map((n) => <li key={n}>{n}</li>)}</ul>
      </Group>
      <Group title="Pods" count={preview.pods.length}>
        <ul className={mono}>
          {preview.pods.map((p) => (
            <li key={p.id}>
              {p.id}
              {p.ip ? ` ${p.ip}` : ''}
              {p.node ? ` on ${p.node}` : ''}
            </li>
          ))}
        </ul>
      </Group>
      <Group title="veth pairs" count={preview.vethPairs.length}>
        <ul className={mono}>
          {preview.vethPairs.map((v) => (
            <li key={v.a}>
              {v.a} ↔ {v.b ?? '?'} <span className="font-sans text-slate-500 dark:text-slate-400">({v.state})</span>
            </li>
          ))}
        </ul>
      </Group>
      <Group title="Bridges" count={preview.bridges.length}>
        <ul className={mono}>
          {preview.bridges.map((b) => (
            <li key={b.id}>
              {b.id}: {b.ports.length} port{b.ports.length === 1 ? '' : 's'}
            </li>
          ))}
        </ul>
      </Group>
      <Group title="Tunnels" count={preview.tunnels.length}>
        <ul className={mono}>
          {preview.tunnels.map((t) => (
            <li key={t.id}>
              {t.id}: {t.kind.toUpperCase()}
              {t.vni !== undefined ? ` VNI ${t.vni}` : ''}
              {t.local ? ` local ${t.local}` : ''}
              {t.port !== undefined ? ` port ${t.port}` : ''}
            </li>
          ))}
        </ul>
      </Group>
      <Group title="Commands used" count={preview.used.length}>
        <ul className="space-y-0.5">
          {preview.used.map((u, i) => (
            <li key={i}>
              <span className="text-slate-500 tabular-nums dark:text-slate-400">
                lines {u.startLine}–{u.endLine}
              </span>{' '}
              <code className={mono}>{u.command}</code>
              {u.summary ? ` — ${u.summary}` : ''}
            </li>
          ))}
        </ul>
      </Group>
      <Group title="Skipped lines" count={preview.skipped.length}>
        <ul className="space-y-0.5" aria-label="Skipped lines">
          {preview.skipped.map((s, i) => (
            <li key={i}>
              <span className="text-slate-500 tabular-nums dark:text-slate-400">
                line {s.startLine}
                {s.endLine !== s.startLine ? `–${s.endLine}` : ''}
              </span>
              : {s.reason} <code className={mono}>{s.text.slice(0, 120)}</code>
            </li>
          ))}
        </ul>
      </Group>
      <Group title="Warnings" count={preview.warnings.length}>
        <ul className="space-y-0.5">
          {preview.warnings.map((w, i) => (
            <li key={i}>
              {w.line !== undefined ? <span className="text-slate-500 tabular-nums dark:text-slate-400">line {w.line}: </span> : null}
              {w.message}
            </li>
          ))}
        </ul>
      </Group>
    </div>
  );
}
