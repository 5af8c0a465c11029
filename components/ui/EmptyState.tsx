/** What a view shows when it has nothing yet: what is missing and what to do about it. */
import type { ReactNode } from 'react';

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-slate-300 px-6 py-10 text-center dark:border-slate-700">
      <h2 className="text-base font-semibold">{title}</h2>
      {children !== undefined && <div className="mx-auto mt-2 max-w-prose text-sm text-slate-600 dark:text-slate-300">{children}</div>}
      {action !== undefined && <div className="mt-4 flex justify-center">{action}</div>}
    </div>
  );
}
