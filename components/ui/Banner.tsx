/**
 * A coloured message block: the verdict of a trace, a notice about stale or
 * missing evidence, an error. `alert` tones (danger) are announced at once by
 * screen readers; the others are polite status messages.
 */
import type { ReactNode } from 'react';

/** How a banner reads: success (green), danger (red), warning (amber), info (blue), neutral (grey). */
export type BannerTone = 'success' | 'danger' | 'warning' | 'info' | 'neutral';

const TONES: Record<BannerTone, string> = {
  success: 'border-emerald-300 bg-emerald-50 text-emerald-950 dark:border-emerald-700 dark:bg-emerald-950/60 dark:text-emerald-50',
  danger: 'border-red-300 bg-red-50 text-red-950 dark:border-red-700 dark:bg-red-950/60 dark:text-red-50',
  warning: 'border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-700 dark:bg-amber-950/60 dark:text-amber-50',
  info: 'border-sky-300 bg-sky-50 text-sky-950 dark:border-sky-700 dark:bg-sky-950/60 dark:text-sky-50',
  neutral: 'border-slate-300 bg-slate-50 text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100',
};

export interface BannerProps {
  tone: BannerTone;
  title: ReactNode;
  children?: ReactNode;
  /** Buttons or links placed at the banner's end. */
  actions?: ReactNode;
  /** Accessible name, when the title alone is not enough to find it. */
  label?: string;
  className?: string;
  testId?: string;
}

export function Banner({ tone, title, children, actions, label, className, testId }: BannerProps) {
  return (
    <section
      role={tone === 'danger' ? 'alert' : 'status'}
      aria-label={label}
      data-tone={tone}
      data-testid={testId}
      className={`flex flex-wrap items-start gap-3 rounded-lg border px-4 py-3 ${TONES[tone]} ${className ?? ''}`}
    >
      <div className="min-w-0 flex-1">
        <div className="font-semibold">{title}</div>
        {children !== undefined && <div className="mt-1 text-sm leading-relaxed">{children}</div>}
      </div>
      {actions !== undefined && <div className="flex shrink-0 flex-wrap gap-2">{actions}</div>}
    </section>
  );
}
