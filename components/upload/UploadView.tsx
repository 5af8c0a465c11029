'use client';
/**
 * Adding evidence: drop or pick files (snapshot JSON or transcripts, several
 * at once), see what each would contribute before anything is stored, set
 * its node name, pick the cluster, and add. Each file goes on its own: a
 * refused file says which file, line or field and why, and never undoes a
 * file already accepted.
 */
import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import { useClusters, useNodes } from '@/components/api/hooks';
import { Banner } from '@/components/ui/Banner';
import { Button } from '@/components/ui/Button';
import { Spinner } from '@/components/ui/Spinner';
import type { IngestResult, ReadPreview } from '@/lib/api/types';
import { queryKeys } from '@/lib/api/queryKeys';
import { jsonSyntaxError } from '@/lib/read/jsonLocation';
import { PreviewDetails } from './PreviewDetails';
import { UploadError, addToCluster, detectKind, previewFile, readFileText, whereText, type UploadKind } from './uploadApi';

/** sessionStorage key of the write token: kept for this tab only, never in localStorage. */
const TOKEN_KEY = 'podnet.writeToken';

interface Problem {
  message: string;
  where?: string;
  issues?: string[];
}

interface UploadItem {
  id: number;
  file: File;
  phase: 'reading' | 'previewing' | 'ready' | 'adding' | 'added' | 'failed';
  progress: number;
  text?: string;
  kind?: UploadKind;
  preview?: ReadPreview;
  /** A file that could not be read or previewed. */
  readProblem?: Problem;
  node: string;
  result?: IngestResult;
  /** The last refusal of "Add to cluster"; the file stays ready to retry. */
  addProblem?: Problem;
}

const inputClass =
  'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-400 focus:border-sky-600 focus:outline-none dark:border-slate-600 dark:bg-slate-900 dark:text-slate-100';

function problemOf(err: unknown): Problem {
  if (err instanceof UploadError) {
    const where = whereText(err.body);
    const issues = err.body?.issues?.map((i) => `${whereText(i) ?? ''}${whereText(i) ? ': ' : ''}${i.message}`);
    return { message: err.message, ...(where ? { where } : {}), ...(issues && issues.length > 0 ? { issues } : {}) };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

/** A JSON document's syntax error without a line (V8 often gives none): find the line ourselves. */
function jsonLine(text: string): number | undefined {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (!head.startsWith('{') && !head.startsWith('[')) return undefined;
  return jsonSyntaxError(text)?.line;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function ProblemBanner({ file, problem, title }: { file: string; problem: Problem; title: string }) {
  return (
    <Banner tone="danger" label={`${title}: ${file}`} title={`${file}${problem.where ? `, ${problem.where}` : ''}: ${problem.message}`}>
      {problem.issues && problem.issues.length > 0 && (
        <ul className="list-disc pl-5">
          {problem.issues.slice(0, 10).map((i, n) => (
            <li key={n}>{i}</li>
          ))}
        </ul>
      )}
    </Banner>
  );
}

function Progress({ value, label }: { value: number; label: string }) {
  return (
    <div className="flex items-center gap-2 text-sm">
      <progress className="h-2 w-48" max={1} value={value} aria-label={label} />
      <span className="tabular-nums">{Math.round(value * 100)}%</span>
    </div>
  );
}

function FileCard({
  item,
  cluster,
  canAdd,
  onNode,
  onAdd,
  onRemove,
}: {
  item: UploadItem;
  cluster: string;
  canAdd: boolean;
  onNode(node: string): void;
  onAdd(): void;
  onRemove(): void;
}) {
  const name = item.file.name;
  const unreadable = item.preview?.error !== undefined && item.preview.nodes.length === 0;
  const needsNode = item.kind === 'transcript' && item.node.trim() === '';
  return (
    <article aria-label={`File ${name}`} className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900">
      <header className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
        <h3 className="font-mono font-semibold break-all">{name}</h3>
        <span className="text-sm text-slate-500 dark:text-slate-400">{formatBytes(item.file.size)}</span>
        {item.kind && <span className="rounded bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800">{item.kind === 'snapshot' ? 'snapshot JSON' : 'transcript'}</span>}
        <span className="flex-1" />
        {item.phase !== 'adding' && (
          <Button size="sm" variant="ghost" onClick={onRemove} aria-label={`Remove ${name}`}>
            Remove
          </Button>
        )}
      </header>

      {item.phase === 'reading' && <Progress value={item.progress} label={`Reading ${name}`} />}
      {item.phase === 'previewing' && <Spinner label={`Reading ${name} on the server…`} />}
      {item.readProblem && <ProblemBanner file={name} problem={item.readProblem} title="Could not read" />}
      {item.preview?.error && (
        <ProblemBanner
          file={name}
          title="Could not read"
          problem={{ message: item.preview.error.message, ...(item.preview.error.line !== undefined ? { where: `line ${item.preview.error.line}` } : {}) }}
        />
      )}
      {item.preview && item.preview.nodes.length > 1 && (
        <Banner tone="warning" title={`${name} describes ${item.preview.nodes.length} nodes (${item.preview.nodes.join(', ')})`}>
          The server stores one node per file: name the node to add, and split the file for the others.
        </Banner>
      )}
      {item.preview && <PreviewDetails preview={item.preview} />}

      {item.text !== undefined && !unreadable && item.phase !== 'added' && (
        <div className="flex flex-wrap items-end gap-3">
          <label className="grid gap-1 text-sm font-medium">
            Node name
            <input className={`${inputClass} w-64`} value={item.node} onChange={(e) => onNode(e.target.value)} placeholder="node1" spellCheck={false} disabled={item.phase === 'adding'} />
          </label>
          <Button variant="primary" onClick={onAdd} disabled={!canAdd || needsNode || item.phase === 'adding' || item.phase === 'previewing'}>
            Add to cluster {cluster || '…'}
          </Button>
          {needsNode && <span className="text-sm text-slate-600 dark:text-slate-300">A transcript needs the node it is about.</span>}
        </div>
      )}
      {item.phase === 'adding' && <Progress value={item.progress} label={`Uploading ${name}`} />}
      {item.addProblem && <ProblemBanner file={name} problem={item.addProblem} title="Not added" />}
      {item.result && (
        <Banner
          tone="success"
          label={`Added: ${name}`}
          title={`${name} added as node ${item.result.node}: revision ${item.result.revision} (${item.result.status})`}
          actions={
            <>
              <Link className="text-sm underline" href={`/?cluster=${encodeURIComponent(cluster)}`}>
                Open the graph
              </Link>
              <Link className="text-sm underline" href={`/trace?cluster=${encodeURIComponent(cluster)}`}>
                Trace a packet
              </Link>
            </>
          }
        >
          {item.result.status === 'duplicate' && 'The cluster already had this exact snapshot; nothing changed.'}
          {item.result.status === 'history' && 'Older than the node’s latest snapshot: kept as history.'}
          {item.result.warnings.length > 0 && ` ${item.result.warnings.length} warning(s) while reading.`}
        </Banner>
      )}
    </article>
  );
}

export function UploadView() {
  const clusters = useClusters();
  const queryClient = useQueryClient();
  const [cluster, setCluster] = useState('');
  const [token, setToken] = useState('');
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const nextId = useRef(1);
  const itemsRef = useRef(items);
  itemsRef.current = items;
  const nodes = useNodes(cluster.trim() || undefined);
  const clusterNames = clusters.data?.clusters.map((c) => c.name) ?? [];
  const isNewCluster = cluster.trim() !== '' && clusters.isSuccess && !clusterNames.includes(cluster.trim());

  useEffect(() => {
    // A token typed already wins over the one this tab remembered.
    setToken((typed) => typed || (window.sessionStorage.getItem(TOKEN_KEY) ?? ''));
  }, []);
  useEffect(() => {
    if (cluster === '' && clusterNames[0] !== undefined) setCluster(clusterNames[0]);
  }, [cluster, clusterNames]);

  const update = useCallback((id: number, patch: Partial<UploadItem> | ((i: UploadItem) => Partial<UploadItem>)) => {
    setItems((prev) => prev.map((i) => (i.id === id ? { ...i, ...(typeof patch === 'function' ? patch(i) : patch) } : i)));
  }, []);

  const addFiles = useCallback(
    (files: File[]) => {
      const fresh = files.map((file): UploadItem => ({ id: nextId.current++, file, phase: 'reading', progress: 0, node: '' }));
      setItems((prev) => [...prev, ...fresh]);
      for (const item of fresh) {
        void (async () => {
          let text: string;
          try {
            text = await readFileText(item.file, (p) => update(item.id, { progress: p }));
          } catch (err) {
            update(item.id, { phase: 'failed', readProblem: { message: `the browser could not read the file: ${problemOf(err).message}` } });
            return;
          }
          const kind = detectKind(item.file.name, text);
          update(item.id, { text, kind, phase: 'previewing' });
          try {
            const preview = await previewFile(text, kind, item.file.name);
            if (preview.error && preview.error.line === undefined) {
              const line = jsonLine(text);
              if (line !== undefined) preview.error = { ...preview.error, line };
            }
            // Keep a name the user typed meanwhile; otherwise offer what the file says.
            update(item.id, (i) => ({ preview, phase: 'ready', node: i.node || (preview.nodes[0] ?? '') }));
          } catch (err) {
            update(item.id, { phase: 'ready', readProblem: problemOf(err) });
          }
        })();
      }
    },
    [update],
  );

  async function add(id: number) {
    const item = itemsRef.current.find((i) => i.id === id);
    const c = cluster.trim();
    if (!item || item.text === undefined || item.kind === undefined || !c) return;
    update(id, { phase: 'adding', progress: 0, addProblem: undefined });
    try {
      const result = await addToCluster(
        { cluster: c, token: token.trim(), text: item.text, kind: item.kind, node: item.node.trim(), fileName: item.file.name },
        (p) => update(id, { progress: p }),
      );
      // The upload is done: drop the text (it may be large) and keep the answer.
      update(id, { phase: 'added', result, text: undefined });
      await queryClient.invalidateQueries({ queryKey: queryKeys.clusters() });
      await queryClient.invalidateQueries({ queryKey: queryKeys.cluster(c) });
    } catch (err) {
      const problem = problemOf(err);
      if (problem.where === undefined) {
        const line = jsonLine(item.text);
        if (line !== undefined) problem.where = `line ${line}`;
      }
      update(id, { phase: 'ready', addProblem: problem });
    }
  }

  function onDrop(e: DragEvent) {
    e.preventDefault();
    setDragging(false);
    addFiles([...e.dataTransfer.files]);
  }

  const ready = items.filter((i) => i.phase === 'ready' && i.text !== undefined && !(i.preview?.error && i.preview.nodes.length === 0) && !(i.kind === 'transcript' && !i.node.trim()));
  const canAdd = cluster.trim() !== '' && token.trim() !== '';

  return (
    <main className="mx-auto max-w-5xl space-y-5 px-4 py-6">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Upload evidence</h1>
        <nav aria-label="Views" className="flex gap-4 text-sm">
          <Link href="/" className="text-sky-800 underline dark:text-sky-300">
            Graph
          </Link>
          <Link href="/trace" className="text-sky-800 underline dark:text-sky-300">
            Trace
          </Link>
        </nav>
      </div>

      <section aria-label="Destination" className="grid gap-3 rounded-lg border border-slate-200 p-4 md:grid-cols-2 dark:border-slate-700">
        <div className="grid gap-1">
          <label className="grid gap-1 text-sm font-medium">
            Cluster
            <input className={inputClass} list="upload-clusters" value={cluster} onChange={(e) => setCluster(e.target.value)} placeholder="an existing cluster or a new name" spellCheck={false} aria-describedby="cluster-hint" />
          </label>
          <datalist id="upload-clusters">
            {clusterNames.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <p id="cluster-hint" className="text-xs text-slate-600 dark:text-slate-300">
            {isNewCluster ? `No cluster named ${cluster.trim()} yet: its write token must come from \`podnet token create --cluster ${cluster.trim()}\`.` : 'Pick a cluster or type a new name.'}
          </p>
        </div>
        <div className="grid gap-1">
          <label className="grid gap-1 text-sm font-medium">
            Write token
            <input
              className={inputClass}
              type="password"
              value={token}
              onChange={(e) => {
                setToken(e.target.value);
                window.sessionStorage.setItem(TOKEN_KEY, e.target.value);
              }}
              placeholder="pn_…"
              autoComplete="off"
              spellCheck={false}
              aria-describedby="token-hint"
            />
          </label>
          <p id="token-hint" className="text-xs text-slate-600 dark:text-slate-300">
            From <code>podnet token create --cluster NAME</code>. Kept in this tab only.
          </p>
        </div>
        {nodes.data && (
          <div className="text-sm md:col-span-2">
            <span className="font-medium">Nodes in {nodes.data.cluster}</span> (revision {nodes.data.revision}):{' '}
            <ul aria-label={`Nodes in ${nodes.data.cluster}`} className="inline">
              {nodes.data.nodes.map((n, i) => (
                <li key={n.node} className="inline font-mono">
                  {n.node}
                  {i < nodes.data.nodes.length - 1 ? ', ' : ''}
                </li>
              ))}
            </ul>
          </div>
        )}
      </section>

      <section
        aria-label="Files to upload"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className={`rounded-lg border-2 border-dashed px-6 py-8 text-center transition-colors ${dragging ? 'border-sky-500 bg-sky-50 dark:bg-sky-950/40' : 'border-slate-300 dark:border-slate-700'}`}
      >
        <p className="font-medium">Drop snapshot JSON files or terminal transcripts here</p>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
          Output of <code>ip addr</code>, <code>ip -d link</code>, <code>ip route show table all</code>, <code>ip neigh</code>, <code>bridge fdb</code>, <code>kubectl get pods -o wide</code>… pasted as it
          was, or <code>podnet</code> collector snapshots. Several files at once.
        </p>
        <label className="mt-4 inline-flex cursor-pointer items-center gap-2 rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-900 dark:hover:bg-slate-800">
          Choose files
          <input
            type="file"
            multiple
            className="sr-only"
            accept=".json,.txt,.log,text/plain,application/json"
            onChange={(e) => {
              addFiles([...(e.target.files ?? [])]);
              e.target.value = '';
            }}
          />
        </label>
      </section>

      {items.length > 1 && (
        <div className="flex items-center gap-3">
          <Button variant="primary" disabled={!canAdd || ready.length === 0} onClick={() => ready.forEach((i) => void add(i.id))}>
            Add all ready files ({ready.length})
          </Button>
          {!canAdd && <span className="text-sm text-slate-600 dark:text-slate-300">Choose a cluster and enter a write token to add files.</span>}
        </div>
      )}
      {items.length === 1 && !canAdd && <p className="text-sm text-slate-600 dark:text-slate-300">Choose a cluster and enter a write token to add files.</p>}

      <div className="space-y-4">
        {items.map((item) => (
          <FileCard
            key={item.id}
            item={item}
            cluster={cluster.trim()}
            canAdd={canAdd}
            onNode={(node) => update(item.id, { node })}
            onAdd={() => void add(item.id)}
            onRemove={() => setItems((prev) => prev.filter((i) => i.id !== item.id))}
          />
        ))}
      </div>
    </main>
  );
}
