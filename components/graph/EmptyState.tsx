/** What to do when there is nothing to draw: how to send node evidence. */
import Link from 'next/link';

export function EmptyState({ cluster }: { cluster?: string }) {
  const name = cluster ?? 'NAME';
  return (
    <section aria-label="How to send data" className="mx-auto max-w-2xl space-y-4 p-8 text-sm">
      <h2 className="text-lg font-semibold">{cluster ? `Cluster ${cluster} has no node snapshots yet` : 'No clusters yet'}</h2>
      <p>podnet draws what nodes send it. Three ways to send a node’s network evidence:</p>
      <ol className="list-decimal space-y-3 pl-5">
        <li>
          Run the collector on each node (it reads <code>ip -j</code>, <code>bridge fdb</code> and every pod netns):
          <pre className="mt-1 overflow-x-auto rounded bg-slate-100 p-2 dark:bg-slate-800">
            <code>{`npx podnet collect --server URL --cluster ${name} --token T`}</code>
          </pre>
        </li>
        <li>
          Post a snapshot or a pasted terminal transcript with a write token:
          <pre className="mt-1 overflow-x-auto rounded bg-slate-100 p-2 dark:bg-slate-800">
            <code>{`curl -H "Authorization: Bearer T" -H "Content-Type: text/plain" \\\n  --data-binary @node1.txt "URL/api/v1/clusters/${name}/snapshots?node=node1"`}</code>
          </pre>
        </li>
        <li>
          Or drop files on the <Link className="text-blue-700 underline dark:text-blue-300" href="/upload">upload page</Link>.
        </li>
      </ol>
    </section>
  );
}
