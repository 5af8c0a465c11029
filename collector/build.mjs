// Builds the collector bundle: collector/main.ts and everything it imports,
// ESM for Node 20, into collector/dist/podnet-collect.mjs (or DIR given as
// the first argument). The Kubernetes client stays outside: it is imported
// only when an API is at hand, and bundling it would load it always.
//
// In a pod the collector needs only the client's KubeConfig (service account
// token, CA, server): collector/kubeConfig.ts is built apart into
// podnet-kube.mjs, loaded only in a cluster, without the generated API and
// models (~55 MB of RSS, ~750 ms of CPU to load) and without the modules only
// kubeconfig files use (YAML, OIDC, cloud auth plugins, proxies, fetch
// headers), each replaced by a stub that throws if it is ever reached.
//
// The snapshot check is compiled here, not at run time, and built apart into
// podnet-validate.mjs, loaded only by `--out` and the tests: in the main
// bundle its ~1 MB of generated code was a string the agent kept for its
// lifetime (an ES module's source stays in the heap for lazy compilation).
// The check itself: the same JSON Schema
// (from the zod schema) and the same ajv options as validateSnapshot's fast
// path, as ajv standalone code, so the agent never loads ajv's compiler nor
// compiles the schema (code it would keep for its lifetime).
//
//   node collector/build.mjs [DIR]
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Where the bundle goes unless told otherwise. */
export const DEFAULT_DIR = path.join(here, 'dist');
const BUNDLE = 'podnet-collect.mjs';
const KUBE_BUNDLE = 'podnet-kube.mjs';
const VALIDATE_BUNDLE = 'podnet-validate.mjs';
const META = 'podnet-collect.inputs.json';

/**
 * Modules of @kubernetes/client-node's KubeConfig that an in-cluster service
 * account never reaches, and the names they must export to be imported.
 */
const KUBE_STUBS = {
  './gen/index.js': ['createConfiguration', 'ServerConfiguration'],
  'js-yaml': ['default'],
  'node-fetch': ['Headers'],
  'openid-client': [],
  'jsonpath-plus': [],
  'socks-proxy-agent': ['SocksProxyAgent'],
  hpagent: ['HttpProxyAgent', 'HttpsProxyAgent'],
  rfc4648: ['base64url'],
};

/** esbuild plugin: KUBE_STUBS, imported from inside the client, become modules whose every use throws. */
const kubeStubs = {
  name: 'podnet-kube-stubs',
  setup(b) {
    const names = Object.keys(KUBE_STUBS).map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    b.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) =>
      /[\\/]@kubernetes[\\/]client-node[\\/]/.test(args.importer) ? { path: args.path, namespace: 'podnet-kube-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'podnet-kube-stub' }, (args) => {
      const fail = `function fail() { throw new Error(${JSON.stringify(`${args.path} is not in the collector's in-cluster build (collector/build.mjs)`)}); }`;
      const exports = KUBE_STUBS[args.path].map((n) =>
        n === 'default' ? 'export default new Proxy({}, { get: fail });' : `export const ${n} = new Proxy(function () {}, { construct: fail, apply: fail, get: fail });`,
      );
      return { contents: [fail, ...exports].join('\n'), loader: 'js' };
    });
  },
};

/**
 * Standalone ajv code for the snapshot schema, and the apiVersion it checks.
 * lib/ is TypeScript, so a small generator is bundled first and run here.
 */
async function snapshotCheck(buildSync, root) {
  const gen = buildSync({
    stdin: {
      contents: `
        import Ajv, { _ } from 'ajv';
        import addFormats from 'ajv-formats';
        import standaloneCode from 'ajv/dist/standalone';
        import { z } from 'zod';
        import { SNAPSHOT_API_VERSION, SnapshotSchema } from './lib/snapshot/schema';
        import { SNAPSHOT_AJV_OPTIONS } from './lib/snapshot/validate';
        export function generate() {
          const ajv = new Ajv({ ...SNAPSHOT_AJV_OPTIONS, code: { source: true, esm: true, formats: _\`require("ajv-formats/dist/formats").fullFormats\` } });
          addFormats(ajv);
          const schema = z.toJSONSchema(SnapshotSchema, { target: 'draft-7' });
          const check = ajv.compile(schema);
          // zod strips unknown keys where the compiled schema refuses them: the second check does the same.
          const stripping = new Ajv({ ...SNAPSHOT_AJV_OPTIONS, removeAdditional: true, code: { source: true, esm: true, formats: _\`require("ajv-formats/dist/formats").fullFormats\` } });
          addFormats(stripping);
          const strip = stripping.compile(schema);
          return { code: standaloneCode(ajv, check), stripCode: standaloneCode(stripping, strip), apiVersion: SNAPSHOT_API_VERSION };
        }`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    banner: { js: "import { createRequire as __podnetRequire } from 'node:module'; const require = __podnetRequire(import.meta.url);" },
  });
  const text = gen.outputFiles[0]?.text;
  if (!text) throw new Error('esbuild produced no validator generator');
  const tmp = mkdtempSync(path.join(tmpdir(), 'podnet-build-'));
  try {
    const file = path.join(tmp, 'generate.mjs');
    writeFileSync(file, text);
    const { generate } = await import(pathToFileURL(file).href);
    return { ...generate(), inputs: Object.keys(gen.metafile.inputs) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Builds the bundle into `dir`; returns its path. Throws when esbuild is missing or the build fails. */
export async function buildCollector(dir = DEFAULT_DIR) {
  const { build, buildSync, stop } = await import('esbuild');
  const root = path.resolve(here, '..');
  const { code, stripCode, apiVersion, inputs: checkInputs } = await snapshotCheck(buildSync, root);
  const validateFile = path.join(root, 'lib', 'snapshot', 'validate.ts');
  const precompiled = {
    name: 'podnet-precompiled-snapshot-check',
    setup(b) {
      b.onResolve({ filter: /^podnet:snapshot-(check|strip)$/ }, (args) => ({ path: args.path.slice('podnet:'.length), namespace: 'podnet' }));
      b.onLoad({ filter: /.*/, namespace: 'podnet' }, (args) => ({ contents: args.path === 'snapshot-strip' ? stripCode : code, loader: 'js', resolveDir: root }));
      // validate.ts only: schema.ts stays real, as readers take values (enums) from it.
      b.onLoad({ filter: /[\\/]lib[\\/]snapshot[\\/]validate\.ts$/ }, (args) => {
        if (args.path !== validateFile) return undefined;
        return {
          loader: 'js',
          resolveDir: root,
          contents: `
            import check from 'podnet:snapshot-check';
            import strip from 'podnet:snapshot-strip';
            const API = ${JSON.stringify(apiVersion)};
            export function validateSnapshot(doc) {
              if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, issues: [{ path: '(document)', message: 'expected a JSON object (a podnet snapshot)' }] };
              if (doc.apiVersion !== API) return { ok: false, issues: [{ path: 'apiVersion', message: 'expected ' + JSON.stringify(API) }] };
              if (check(doc)) return { ok: true, snapshot: doc };
              const copy = structuredClone(doc);
              if (strip(copy)) return { ok: true, snapshot: copy };
              return { ok: false, issues: (check.errors || []).slice(0, 50).map((e) => ({ path: e.instancePath || '(document)', message: e.message || 'invalid' })) };
            }`,
        };
      });
    },
  };
  // The main bundle imports the KubeConfig module and the snapshot check as the files built beside it.
  const apart = {
    name: 'podnet-apart',
    setup(b) {
      b.onResolve({ filter: /^\.\/kubeConfig$/ }, () => ({ path: `./${KUBE_BUNDLE}`, external: true }));
      b.onResolve({ filter: /^\.\.\/lib\/snapshot\/validate$/ }, (args) =>
        path.resolve(args.resolveDir, args.path) === validateFile.slice(0, -'.ts'.length) ? { path: `./${VALIDATE_BUNDLE}`, external: true } : undefined,
      );
    },
  };
  // One ESM file per entry for Node; bundled CommonJS (ajv, commander) calls require() for Node built-ins.
  const bundleOf = (entry, plugins, extra = {}) =>
    build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      write: false,
      metafile: true,
      absWorkingDir: root,
      logLevel: 'silent',
      plugins,
      banner: { js: "import { createRequire as __podnetRequire } from 'node:module'; const require = __podnetRequire(import.meta.url);" },
      ...extra,
    });
  let result;
  let kube;
  let check;
  try {
    check = await bundleOf(validateFile, [precompiled]);
    kube = await bundleOf(path.join(here, 'kubeConfig.ts'), [kubeStubs]);
    result = await bundleOf(path.join(here, 'main.ts'), [apart], { external: ['@kubernetes/client-node'] });
  } finally {
    // The async API keeps an esbuild service process; a long-running agent that built its bundle must not keep it.
    stop();
  }
  const out = result.outputFiles[0];
  const kubeOut = kube.outputFiles[0];
  const checkOut = check.outputFiles[0];
  if (!out || !kubeOut || !checkOut) throw new Error('esbuild produced no output');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, BUNDLE);
  // Everything the bundle was made from, the check's schema and this script included, so any edit triggers a rebuild.
  const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(kube.metafile.inputs), ...Object.keys(check.metafile.inputs), ...checkInputs].map((p) => path.resolve(root, p)))].filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
  inputs.push(fileURLToPath(import.meta.url));
  // The modules apart first: a bundle newer than its sources is taken as complete.
  await writeFile(path.join(dir, KUBE_BUNDLE), kubeOut.contents);
  await writeFile(path.join(dir, VALIDATE_BUNDLE), checkOut.contents);
  await writeFile(file, out.contents);
  await writeFile(path.join(dir, META), JSON.stringify({ inputs }));
  return file;
}

/**
 * The bundle in `dir` when it exists and is newer than every file it was
 * built from (so an edited checkout never runs old code); else undefined.
 */
export function freshBundle(dir = DEFAULT_DIR) {
  const file = path.join(dir, BUNDLE);
  try {
    const built = statSync(file).mtimeMs;
    statSync(path.join(dir, KUBE_BUNDLE));
    statSync(path.join(dir, VALIDATE_BUNDLE));
    const meta = JSON.parse(readFileSync(path.join(dir, META), 'utf8'));
    for (const input of meta.inputs) if (statSync(input).mtimeMs > built) return undefined;
    return file;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = await buildCollector(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_DIR);
  console.log(`built ${file}`);
}
