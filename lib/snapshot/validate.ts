import Ajv, { _, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { not, or } from 'ajv/dist/compile/codegen';
import { useFunc } from 'ajv/dist/compile/util';
import ucs2length from 'ajv/dist/runtime/ucs2length';
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

/**
 * ajv options of the fast path (with ajv-formats); the collector bundle compiles the same JSON Schema ahead of time with them.
 * `inlineRefs: false` keeps each object schema of snapshotAjvSchema() a function of its own (see there).
 */
export const SNAPSHOT_AJV_OPTIONS = { strict: false, allErrors: false, unicodeRegExp: false, inlineRefs: false } as const;

/** Replaces `additionalProperties: false` next to `properties`: the keys an object may have. */
const CLOSED_KEYWORD = 'podnetKeys';
/** Keywords that bound a string's length in code points, as zod does, looking at `.length` first. */
const LENGTH_KEYWORDS = { maxLength: 'podnetMaxLength', minLength: 'podnetMinLength' } as const;

/**
 * Teaches `ajv` the length keywords of snapshotAjvSchema(). ajv's own
 * maxLength/minLength count code points with a function call on every string
 * (~0.8 ms of the ~3.3 ms a 110-pod snapshot took). A code point is one or
 * two UTF-16 units, so `.length` settles almost every string inline: more
 * units than a maximum is the only case that needs counting for maxLength,
 * and for minLength only units in [min, 2·min). The bounds stay zod's
 * exactly (code points, surrogate pairs counted once).
 */
export function addSnapshotKeywords(ajv: Ajv): Ajv {
  if (!ajv.getKeyword(LENGTH_KEYWORDS.maxLength)) {
    ajv.addKeyword({
      keyword: LENGTH_KEYWORDS.maxLength,
      type: 'string',
      schemaType: 'number',
      code(cxt) {
        const len = useFunc(cxt.gen, ucs2length);
        cxt.fail(_`${cxt.data}.length > ${cxt.schema} && ${len}(${cxt.data}) > ${cxt.schema}`);
      },
    });
  }
  if (!ajv.getKeyword(LENGTH_KEYWORDS.minLength)) {
    ajv.addKeyword({
      keyword: LENGTH_KEYWORDS.minLength,
      type: 'string',
      schemaType: 'number',
      code(cxt) {
        const len = useFunc(cxt.gen, ucs2length);
        cxt.fail(_`${cxt.data}.length < ${cxt.schema} || (${cxt.data}.length < 2 * ${cxt.schema} && ${len}(${cxt.data}) < ${cxt.schema})`);
      },
    });
  }
  if (!ajv.getKeyword(CLOSED_KEYWORD)) {
    // ajv checks additionalProperties of an object with more than 8 properties
    // by hasOwnProperty on the schema, reached through the whole schema path
    // (schema.properties.namespaces.items.properties.links.items.properties)
    // for every key of every object: ~0.9 ms of a 110-pod snapshot. Comparing
    // the key with each allowed name inline is a pointer comparison for V8's
    // internalised strings, which JSON.parse's keys are.
    ajv.addKeyword({
      keyword: CLOSED_KEYWORD,
      type: 'object',
      schemaType: 'array',
      code(cxt) {
        const names = cxt.schema as string[];
        const { gen } = cxt;
        gen.forIn('key', cxt.data, (key) => {
          gen.if(names.length === 0 ? _`true` : not(or(...names.map((n) => _`${key} === ${n}`))), () => {
            cxt.setParams({ additionalProperty: key });
            cxt.error();
            gen.break();
          });
        });
      },
    });
  }
  return ajv;
}

/** The zod JSON Schema rewritten to the keywords of addSnapshotKeywords (same acceptance). */
function withSnapshotKeywords(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withSnapshotKeywords);
  if (node === null || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  const closed = src.type === 'object' && src.additionalProperties === false && src.properties !== null && typeof src.properties === 'object';
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(src)) {
    if (closed && key === 'additionalProperties') {
      out[CLOSED_KEYWORD] = Object.keys(src.properties as object);
      continue;
    }
    const renamed = key === 'maxLength' || key === 'minLength' ? LENGTH_KEYWORDS[key] : undefined;
    // Under `properties` a key named maxLength is a field name, not a keyword.
    out[renamed !== undefined && typeof value === 'number' ? renamed : key] = withSnapshotKeywords(value);
  }
  return out;
}

/** The snapshot JSON Schema (from the zod schema) for an ajv that has addSnapshotKeywords. */
export function snapshotAjvSchema(): object {
  const definitions: Record<string, unknown> = {};
  const root = liftObjects(withSnapshotKeywords(z.toJSONSchema(SnapshotSchema, { target: 'draft-7' })), definitions, true) as Record<string, unknown>;
  return { ...root, definitions: { ...(root.definitions as object | undefined), ...definitions } };
}

/**
 * Moves every object schema below the root into `definitions`, referenced by
 * $ref. Compiled inline, the whole snapshot schema is one function of ~200 KB
 * of source, past the bytecode size V8 optimises: it ran in the baseline tier
 * only. One function per object type (link, route, address, …) is small
 * enough for the optimising compiler: 2.0 → 0.5 ms for a 110-pod snapshot.
 */
function liftObjects(node: unknown, definitions: Record<string, unknown>, root = false): unknown {
  if (Array.isArray(node)) return node.map((x) => liftObjects(x, definitions));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = liftObjects(value, definitions);
  // A schema's `type` is a string; a `properties` map that merely has a field named "type" is not lifted.
  if (root || out.type !== 'object' || out.properties === null || typeof out.properties !== 'object') return out;
  const name = `podnetObject${Object.keys(definitions).length}`;
  definitions[name] = out;
  return { $ref: `#/definitions/${name}` };
}

/**
 * The zod schema stays the single source of truth; for speed, its JSON Schema
 * is compiled once with ajv (0.5 ms for a 110-pod node snapshot of ~10,000
 * objects; zod takes several times that). Only a document ajv accepts takes the fast path;
 * anything else goes through zod, which gives the precise field paths.
 */
function compiledCheck(): ValidateFunction {
  if (!fastCheck) {
    const ajv = addSnapshotKeywords(new Ajv({ ...SNAPSHOT_AJV_OPTIONS }));
    addFormats(ajv);
    fastCheck = ajv.compile(snapshotAjvSchema());
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
