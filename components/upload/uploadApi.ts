/**
 * The upload's conversations with the server: reading a file in chunks with
 * progress, the preview (`POST /api/v1/read`, nothing stored) and the write
 * (`POST /api/v1/clusters/{c}/snapshots` through XMLHttpRequest, for upload
 * progress). Failures keep the server's ApiError so the view can name the
 * file, line or field at fault.
 */
import type { ApiError, IngestResult, ReadPreview } from '@/lib/api/types';

/** How a file is sent: a snapshot format v1 document, or a terminal transcript / raw output. */
export type UploadKind = 'snapshot' | 'transcript';

/** A refused or failed request, with the server's explanation when it gave one. */
export class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: ApiError | null,
  ) {
    super(message);
  }
}

/** A JSON object document is a snapshot; anything else is read as a transcript. */
export function detectKind(fileName: string, text: string): UploadKind {
  const head = text.replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('{') && (fileName.toLowerCase().endsWith('.json') || /"apiVersion"\s*:/.test(head.slice(0, 2000)))) return 'snapshot';
  return 'transcript';
}

const CHUNK = 1024 * 1024;

/** Reads a file as UTF-8 text a megabyte at a time, reporting the fraction read. */
export async function readFileText(file: File, onProgress: (fraction: number) => void): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  for (let offset = 0; offset < file.size; offset += CHUNK) {
    const buf = await file.slice(offset, offset + CHUNK).arrayBuffer();
    parts.push(decoder.decode(buf, { stream: offset + CHUNK < file.size }));
    onProgress(Math.min(1, (offset + CHUNK) / Math.max(1, file.size)));
  }
  parts.push(decoder.decode());
  onProgress(1);
  return parts.join('');
}

function parseError(status: number, text: string): UploadError {
  let body: ApiError | null = null;
  try {
    body = JSON.parse(text) as ApiError;
  } catch {
    body = null;
  }
  return new UploadError(body?.error ?? (status === 0 ? 'the server could not be reached' : `HTTP ${status}`), status, body);
}

/** What the file would contribute, read on the server without storing anything. */
export async function previewFile(text: string, kind: UploadKind, fileName: string, node?: string): Promise<ReadPreview> {
  const qs = new URLSearchParams({ fileName });
  if (node) qs.set('node', node);
  const res = await fetch(`/api/v1/read?${qs.toString()}`, {
    method: 'POST',
    headers: { 'content-type': kind === 'snapshot' ? 'application/json' : 'text/plain; charset=utf-8', accept: 'application/json' },
    body: text,
  });
  const body = await res.text();
  if (!res.ok) throw parseError(res.status, body);
  return JSON.parse(body) as ReadPreview;
}

/** Stores the file as one node's snapshot; `onProgress` follows the request body going out. */
export function addToCluster(
  q: { cluster: string; token: string; text: string; kind: UploadKind; node: string; fileName: string },
  onProgress: (fraction: number) => void,
): Promise<IngestResult> {
  return new Promise((resolve, reject) => {
    const params = new URLSearchParams({ fileName: q.fileName });
    if (q.node) params.set('node', q.node);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/v1/clusters/${encodeURIComponent(q.cluster)}/snapshots?${params.toString()}`);
    xhr.setRequestHeader('content-type', q.kind === 'snapshot' ? 'application/json' : 'text/plain; charset=utf-8');
    xhr.setRequestHeader('accept', 'application/json');
    if (q.token) xhr.setRequestHeader('authorization', `Bearer ${q.token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / Math.max(1, e.total));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as IngestResult);
        } catch {
          reject(new UploadError('the server answered with something that is not JSON', xhr.status, null));
        }
      } else reject(parseError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new UploadError('the server could not be reached', 0, null));
    xhr.send(q.text);
  });
}

/** "line 3: …" / "field namespaces[0].routes[2].dst: …": where the server says the problem is. */
export function whereText(body: { field?: string; line?: number } | null | undefined): string | undefined {
  if (!body) return undefined;
  if (body.line !== undefined) return `line ${body.line}`;
  if (body.field !== undefined) return `field ${body.field}`;
  return undefined;
}
