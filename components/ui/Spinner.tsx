/** A busy indicator that also says, in words, what is being waited for. */
export function Spinner({ label, className }: { label: string; className?: string }) {
  return (
    <span role="status" aria-live="polite" className={`inline-flex items-center gap-2 text-sm text-slate-600 dark:text-slate-300 ${className ?? ''}`}>
      <span
        aria-hidden="true"
        className="inline-block h-4 w-4 animate-spin rounded-full border-2 border-slate-300 border-t-sky-600 dark:border-slate-600 dark:border-t-sky-400"
      />
      {label}
    </span>
  );
}
