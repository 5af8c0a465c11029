/**
 * Vitest global setup of the server suites: one current private build that
 * every suite starts its servers from.
 */
import { buildPrivateApp } from './nextServer';

declare module 'vitest' {
  export interface ProvidedContext {
    podnetAppDir: string;
  }
}

export default function setup(project: { provide: (key: 'podnetAppDir', value: string) => void }): void {
  project.provide('podnetAppDir', buildPrivateApp());
}
