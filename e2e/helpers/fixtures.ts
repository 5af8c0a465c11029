/**
 * The `test` and `expect` every spec imports: Playwright's, with `baseURL`
 * pointing at the server the global setup started and a `podnet` fixture
 * for seeding the store through the real API (with the setup's write token).
 */
import { test as base, expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ApiError, IngestResult, NodeList, TraceResponse } from '../../lib/api/types';
import { DEMO_CLUSTER, e2eEnv } from './env';
import { ROOT } from './server';

/** What a spec can do to the server besides clicking. */
export interface PodnetFixture {
  baseURL: string;
  /** A write token for the demo cluster. */
  token: string;
  cluster: string;
  /** POSTs one snapshot document or transcript; throws with the server's error on refusal. */
  push(body: string, opts: { kind: 'json' } | { kind: 'transcript'; node: string }, cluster?: string): Promise<IngestResult>;
  nodes(cluster?: string): Promise<NodeList>;
  trace(q: { from: string; to: string; at?: number }, cluster?: string): Promise<TraceResponse>;
}

async function jsonOrThrow<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) {
    let err: ApiError | undefined;
    try {
      err = JSON.parse(text) as ApiError;
    } catch {
      err = undefined;
    }
    throw new Error(`${what}: HTTP ${res.status} ${err?.error ?? text.slice(0, 300)}`);
  }
  return JSON.parse(text) as T;
}

function podnetFixture(baseURL: string, token: string): PodnetFixture {
  const enc = encodeURIComponent;
  return {
    baseURL,
    token,
    cluster: DEMO_CLUSTER,
    async push(body, opts, cluster = DEMO_CLUSTER) {
      const url = new URL(`/api/v1/clusters/${enc(cluster)}/snapshots`, baseURL);
      if (opts.kind === 'transcript') url.searchParams.set('node', opts.node);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': opts.kind === 'json' ? 'application/json' : 'text/plain; charset=utf-8',
        },
        body,
      });
      return jsonOrThrow<IngestResult>(res, `push to ${cluster}`);
    },
    async nodes(cluster = DEMO_CLUSTER) {
      return jsonOrThrow<NodeList>(await fetch(new URL(`/api/v1/clusters/${enc(cluster)}/nodes`, baseURL)), 'nodes');
    },
    async trace(q, cluster = DEMO_CLUSTER) {
      const url = new URL(`/api/v1/clusters/${enc(cluster)}/trace`, baseURL);
      url.searchParams.set('from', q.from);
      url.searchParams.set('to', q.to);
      if (q.at !== undefined) url.searchParams.set('at', String(q.at));
      return jsonOrThrow<TraceResponse>(await fetch(url), 'trace');
    },
  };
}

/**
 * Waits until React has hydrated the page (app/providers.tsx marks <html>):
 * typing or clicking before that reaches the DOM but not React's state, a
 * race a slow machine loses.
 */
export async function hydrated(page: Page): Promise<void> {
  await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
}

export const test = base.extend<{ podnet: PodnetFixture }>({
  baseURL: async ({}, use) => {
    await use(e2eEnv('baseURL'));
  },
  // page.goto and page.reload return once the page is interactive, not merely loaded.
  page: async ({ page }, use) => {
    const goto = page.goto.bind(page);
    const reload = page.reload.bind(page);
    page.goto = async (...args: Parameters<Page['goto']>) => {
      const res = await goto(...args);
      await hydrated(page);
      return res;
    };
    page.reload = async (...args: Parameters<Page['reload']>) => {
      const res = await reload(...args);
      await hydrated(page);
      return res;
    };
    await use(page);
  },
  podnet: async ({}, use) => {
    await use(podnetFixture(e2eEnv('baseURL'), e2eEnv('token')));
  },
});

export { expect };

/** Where specs save screenshots of the main views. */
export const SCREENSHOT_DIR = path.join(ROOT, 'e2e', 'screenshots');

/**
 * Saves `name-light.png` and `name-dark.png` of the page as it is now. Dark
 * mode is the `.dark` class on <html> (app/globals.css's custom variant) plus
 * the media feature, so either way of theming shows.
 */
export async function screenshotThemes(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.evaluate((dark) => {
      document.documentElement.classList.toggle('dark', dark);
      document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
    }, theme === 'dark');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${theme}.png`), fullPage: true });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.evaluate(() => {
    document.documentElement.classList.remove('dark');
    document.documentElement.style.colorScheme = '';
  });
}
