/** What `traceroute -n` would print for this packet, one line per TTL. */
export function TracerouteList({ lines, to, command, label = 'Predicted traceroute', headingId = 'traceroute-heading' }: { lines: string[]; to: string; command?: string; label?: string; headingId?: string }) {
  return (
    <section aria-labelledby={headingId} className="rounded-lg border border-slate-200 p-4 dark:border-slate-700">
      <h2 id={headingId} className="text-lg font-semibold">{label}</h2>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
        <code className="font-mono">{command ?? `traceroute -n ${to}`}</code> would print:
      </p>
      {lines.length === 0 ? (
        <p className="mt-2 text-sm">No line: the packet never reaches a router that answers.</p>
      ) : (
        <ol aria-label={label} className="mt-2 font-mono text-sm">
          {lines.map((addr, i) => (
            <li key={i} className="flex gap-3">
              <span className="w-6 text-right text-slate-500 tabular-nums dark:text-slate-400">{i + 1}</span>
              <span>{addr === '?' ? '? (beyond the evidence: not predicted)' : addr === '*' ? '* * * (no answer)' : addr}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
