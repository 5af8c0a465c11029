'use client';
/** Explains the canvas's shapes and colours, drawn from the stylesheet's own tokens. */
import { GRAPH_TOKENS, LEGEND, type LegendEntry } from '@/lib/graph/stylesheet';

const CLIP: Record<string, string | undefined> = {
  hexagon: 'polygon(25% 0, 75% 0, 100% 50%, 75% 100%, 25% 100%, 0 50%)',
  diamond: 'polygon(50% 0, 100% 50%, 50% 100%, 0 50%)',
};

function Swatch({ entry, theme }: { entry: LegendEntry; theme: 'light' | 'dark' }) {
  const t = GRAPH_TOKENS[theme];
  const s = entry.swatch;
  if (s.type === 'line') {
    return <span aria-hidden className="inline-block w-6 align-middle" style={{ borderTop: `3px ${s.style} ${t[s.color]}` }} />;
  }
  const clip = CLIP[s.shape];
  return (
    <span
      aria-hidden
      className="inline-block h-3.5 w-5 align-middle"
      style={{
        background: t[s.color],
        borderRadius: s.shape === 'ellipse' ? '9999px' : s.shape === 'round-rectangle' ? '4px' : 0,
        border: s.border && !clip ? `2px ${s.borderStyle ?? 'solid'} ${t[s.border]}` : undefined,
        clipPath: clip,
      }}
    />
  );
}

/** The legend box. */
export function Legend({ theme }: { theme: 'light' | 'dark' }) {
  return (
    <details className="rounded border border-slate-300 bg-white/90 p-2 text-xs shadow dark:border-slate-700 dark:bg-slate-900/90" open>
      <summary className="cursor-pointer font-semibold">Legend</summary>
      <ul className="mt-1 space-y-1" aria-label="Legend">
        {LEGEND.map((e) => (
          <li key={e.label} className="flex items-center gap-2">
            <Swatch entry={e} theme={theme} />
            <span>{e.label}</span>
          </li>
        ))}
      </ul>
    </details>
  );
}
