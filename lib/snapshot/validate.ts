import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { z } from 'zod';
import { SNAPSHOT_API_VERSION, SnapshotSchema, type Snapshot } from './schema';

/** One problem in a snapshot document, located by its JSON path (`namespaces[2].routes[14].dst`). */
export interface SnapshotIssue {
  path: string;
  message: string;
}

/** The outcome of validating an untrusted document as a snapshot. */
export type SnapshotValidation = { ok: true; snapshot: Snapshot } | { ok: false; issues: SnapshotIssue[] };

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(document)';
}

let fastCheck: ValidateFunction | undefined;

/** ajv options of the fast path (with ajv-formats); the collector bundle compiles the same JSON Schema ahead of time with them. */
export const SNAPSHOT_AJV_OPTIONS = { strict: false, allErrors: false, unicodeRegExp: false } as const;

/**
 * The zod schema stays the single source of truth; for speed, its JSON Schema
 * is compiled once with ajv (about 3× faster on 110-pod node snapshots, which
 * hold ~10,000 objects each). Only a document ajv accepts takes the fast path;
 * anything else goes through zod, which gives the precise field paths.
 * ajv counts string lengths in code points where zod counts UTF-16 units, so a
 * name of astral-plane characters may pass here up to twice zod's bound; the
 * bound still holds within that factor.
 */
function compiledCheck(): ValidateFunction {
  if (!fastCheck) {
    const ajv = new Ajv({ ...SNAPSHOT_AJV_OPTIONS });
    addFormats(ajv);
    fastCheck = ajv.compile(z.toJSONSchema(SnapshotSchema, { target: 'draft-7' }) as object);
  }
  return fastCheck;
}

/**
 * Checks an untrusted value against snapshot format v1. Never throws: every
 * problem comes back with the path of the field that caused it, so an upload
 * or the ingest API can say exactly what to fix.
 */
export function validateSnapshot(doc: unknown): SnapshotValidation {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return { ok: false, issues: [{ path: '(document)', message: 'expected a JSON object (a podnet snapshot)' }] };
  }
  const apiVersion = (doc as Record<string, unknown>).apiVersion;
  if (apiVersion !== SNAPSHOT_API_VERSION) {
    return {
      ok: false,
      issues: [
        {
          path: 'apiVersion',
          message:
            apiVersion === undefined
              ? `missing; expected "${SNAPSHOT_API_VERSION}"`
              : `unsupported apiVersion ${JSON.stringify(apiVersion).slice(0, 80)}; this version of podnet reads "${SNAPSHOT_API_VERSION}"`,
        },
      ],
    };
  }
  if (compiledCheck()(doc)) {
    // Same acceptance as zod; zod would also drop unknown keys, which the
    // compiled schema rejects (additionalProperties: false) — so nothing to strip.
    return { ok: true, snapshot: doc as Snapshot };
  }
  const parsed = SnapshotSchema.safeParse(doc);
  if (parsed.success) return { ok: true, snapshot: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.slice(0, 50).map((i) => ({ path: formatPath(i.path), message: i.message })),
  };
}
