/**
 * The trace view against the demo cluster (the kernel lab's real flannel
 * VXLAN captures, seeded by the server): a pod on node1 to a pod on node2,
 * read hop by hop; the pinned link reproduces the same answer in a fresh
 * browser, and keeps it after newer data arrives.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect, hydrated, screenshotThemes } from './helpers/fixtures';
import { ROOT } from './helpers/server';

const CAPTURES = path.join(ROOT, 'e2e', 'lab', 'captures', 'flannel-vxlan');
const FROM = 'default/web-node1-a';
const TO = 'default/web-node2-a';

function hops(page: Page): Locator {
  return page.getByRole('article', { name: /^Hop \d+:/ });
}

/** Every hop's accessible name ("Hop 3: node1 · host · cni0"): the path, comparable across browsers. */
async function hopNames(page: Page): Promise<string[]> {
  return hops(page).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

async function askTrace(page: Page, from: string, to: string): Promise<void> {
  await page.goto('/trace?cluster=demo');
  const form = page.getByRole('form', { name: 'Trace a packet' });
  await form.getByLabel('From').fill(from);
  await form.getByLabel('To').fill(to);
  await form.getByRole('button', { name: 'Trace' }).click();
}

/** node2 as captured, one hour later, with the neighbour entry ARP would have made for web-node2-a. */
function newerNode2(): string {
  const doc = JSON.parse(readFileSync(path.join(CAPTURES, 'node2.json'), 'utf8')) as {
    collectedAt: string;
    namespaces: Array<{ name: string; links: Array<{ name: string; mac?: string }>; neighbours?: Array<Record<string, unknown>> }>;
  };
  const pod = doc.namespaces.find((n) => n.name.endsWith('web-node2-a'));
  const mac = pod?.links.find((l) => l.name === 'eth0')?.mac;
  const host = doc.namespaces.find((n) => n.name === 'host');
  if (!mac || !host) throw new Error('node2.json lacks web-node2-a eth0 or the host netns');
  host.neighbours = [...(host.neighbours ?? []), { dst: '10.244.2.2', dev: 'cni0', lladdr: mac, state: ['REACHABLE'] }];
  doc.collectedAt = new Date(Date.parse(doc.collectedAt) + 3_600_000).toISOString();
  return JSON.stringify(doc);
}

test('traces a pod on node1 to a pod on node2 through VXLAN, and the pinned link reproduces it', async ({ page, browser, podnet, baseURL }) => {
  await askTrace(page, FROM, TO);

  const verdict = page.getByRole('status', { name: 'Verdict' });
  await expect(verdict).toContainText(`Delivered to ${TO} on node2`);
  await expect(verdict).toHaveAttribute('data-tone', 'success');
  await expect(page).toHaveURL(/from=default%2Fweb-node1-a/);

  // The hops a person follows: pod eth0, host veth, cni0, flannel.1, eth0 on both nodes, then the pod.
  const names = await hopNames(page);
  expect(names[0]).toBe('Hop 1: node1 · pod default/web-node1-a · eth0');
  expect(names).toContain('Hop 4: node1 · host · flannel.1');
  expect(names[names.length - 1]).toMatch(/node2 · pod default\/web-node2-a · eth0$/);

  // VXLAN: VNI 1, the outer addresses are the nodes' underlay, UDP 8472.
  const encapHop = page.getByRole('article', { name: 'Hop 4: node1 · host · flannel.1' });
  await expect(encapHop.getByLabel('encapsulation')).toHaveText('VXLAN · VNI 1 · outer 192.168.50.11 → 192.168.50.12, UDP 8472 · +50 bytes');
  const headers = encapHop.getByRole('table', { name: 'inner and outer headers' });
  await expect(headers.getByRole('row', { name: /outer/ })).toContainText('192.168.50.11 → 192.168.50.12:8472');
  await expect(headers.getByRole('row', { name: /inner/ })).toContainText('10.244.1.2 → 10.244.2.2');
  await expect(encapHop.getByLabel('FDB entry')).toContainText('dst 192.168.50.12');
  // The route that sent it there, as `ip route` prints it.
  await expect(page.getByRole('article', { name: /^Hop 3: node1 · host · cni0/ }).getByLabel('matched route')).toHaveText(
    '10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink',
  );
  await expect(page.getByRole('article', { name: /node2 · host · flannel\.1/ })).toContainText('decapsulates');

  await expect(page.getByRole('list', { name: 'Predicted traceroute' }).getByRole('listitem')).toHaveText([
    /10\.244\.1\.1$/,
    /10\.244\.2\.0$/,
    /10\.244\.2\.2$/,
  ]);
  await expect(page.getByTestId('path-graph')).toHaveAttribute('data-ready', 'true');

  // The link pins the revision the answer was computed at.
  const revision = (await page.getByTestId('trace-revision').textContent())?.trim() ?? '';
  expect(revision).toMatch(/^\d+$/);
  const link = page.getByRole('link', { name: 'Link to this trace' });
  const href = (await link.getAttribute('href')) ?? '';
  expect(new URL(href).searchParams.get('at')).toBe(revision);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(href);

  await screenshotThemes(page, 'trace');

  // A fresh browser context (no cache, no history) opening the link sees the same trace.
  const other = await browser.newContext();
  try {
    const page2 = await other.newPage();
    await page2.goto(href);
    await hydrated(page2);
    await expect(page2.getByRole('status', { name: 'Verdict' })).toContainText(`Delivered to ${TO} on node2`);
    await expect(page2.getByTestId('trace-revision')).toHaveText(revision);
    await expect.poll(() => hopNames(page2)).toEqual(names);
    await expect(page2.getByText('Newer data exists')).toHaveCount(0);
  } finally {
    await other.close();
  }

  // Newer evidence for node2 arrives: a neighbour entry the pinned revision did not have.
  const pushed = await podnet.push(newerNode2(), { kind: 'json' });
  expect(pushed.status).toBe('accepted');
  expect(pushed.revision).toBeGreaterThan(Number(revision));

  const later = await browser.newContext();
  try {
    const page3 = await later.newPage();
    await page3.goto(href);
    await hydrated(page3);
    await expect(page3.getByTestId('trace-revision')).toHaveText(revision);
    await expect.poll(() => hopNames(page3)).toEqual(names);
    const podHop = page3.getByRole('article', { name: /node2 · host · cni0/ });
    await expect(podHop).toContainText('none captured (ARP would answer)');
    const newer = page3.getByRole('status', { name: 'Newer data' });
    await expect(newer).toContainText(`revision ${pushed.revision}`);
    await screenshotThemes(page3, 'trace-pinned-newer-data');

    await newer.getByRole('button', { name: 'Re-run on latest' }).click();
    await expect(page3).not.toHaveURL(/[?&]at=/);
    await expect(page3.getByTestId('trace-revision')).toHaveText(String(pushed.revision));
    await expect(page3.getByRole('article', { name: /node2 · host · cni0/ }).getByLabel('neighbour entry')).toContainText('10.244.2.2 dev cni0 lladdr');
    await expect(page3.getByRole('status', { name: 'Newer data' })).toHaveCount(0);
  } finally {
    await later.close();
  }
});

test('says where and why a trace stops when the destination is not in the evidence', async ({ page }) => {
  await askTrace(page, FROM, '10.99.0.7');
  const verdict = page.getByRole('status', { name: 'Verdict' }).or(page.getByRole('alert', { name: 'Verdict' }));
  await expect(verdict).toBeVisible();
  await expect(verdict).not.toHaveAttribute('data-tone', 'success');
  await expect(verdict).toContainText(/Dropped|Leaves|Not enough evidence/);
});

test('an unknown endpoint gets an error naming it', async ({ page }) => {
  await askTrace(page, 'default/no-such-pod', TO);
  await expect(page.getByRole('alert', { name: 'Trace error' }).or(page.getByRole('alert', { name: 'Verdict' })).or(page.getByRole('status', { name: 'Verdict' }))).toContainText(
    'no-such-pod',
  );
});
