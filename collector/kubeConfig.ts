/**
 * The official client's KubeConfig alone, for the in-cluster reads: service
 * account token (re-read as it rotates), CA and server from the library, the
 * two GETs made with the options it produces (collector/kube.ts). Imported
 * from its own module so the collector bundle can build it apart
 * (collector/build.mjs: dist/podnet-kube.mjs) without the generated API
 * models, which alone are ~55 MB of RSS and ~750 ms of CPU to load.
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
