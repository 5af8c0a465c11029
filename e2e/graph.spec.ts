/**
 * The cluster graph in a real browser against the real server and store:
 * the seeded demo cluster (the kernel lab's flannel VXLAN capture) is drawn,
 * a search selects a pod and shows its facts, and clicking a pod highlights
 * its way out of the node.
 */
import { screenshotThemes, test, expect } from './helpers/fixtures';
import type { Page } from '@playwright/test';

const graph = (page: Page) => page.getByTestId('graph');

async function highlighted(page: Page): Promise<string[]> {
  const raw = (await graph(page).getAttribute('data-highlighted')) ?? '';
  return raw.split(' ').filter(Boolean);
}

/** The rendered position of an element, as plain numbers (never the cytoscape collection itself). */
async function renderedCenter(page: Page, id: string): Promise<{ x: number; y: number } | null> {
  return page.evaluate((elementId) => {
    const host = document.querySelector('[data-testid="graph"] canvas')?.parentElement?.parentElement as (HTMLElement & { _cyreg?: { cy?: unknown } }) | null;
    const cy = host?._cyreg?.cy as { getElementById(id: string): { empty(): boolean; renderedPosition(): { x: number; y: number } } } | undefined;
    if (!cy) return null;
    const el = cy.getElementById(elementId);
    if (el.empty()) return null;
    const p = el.renderedPosition();
    return { x: p.x, y: p.y };
  }, id);
}

test.describe('cluster graph', () => {
  test('draws the demo cluster’s nodes and pods', async ({ page }) => {
    await page.goto('/?cluster=demo');
    await expect(graph(page)).toHaveAttribute('data-graph-ready', 'true');
    await expect(page.getByRole('combobox', { name: 'Filter by node' })).toContainText('node1');
    for (const n of ['node1', 'node2', 'node3']) {
      await expect(page.getByRole('combobox', { name: 'Filter by node' }).locator('option', { hasText: n })).toHaveCount(1);
    }
    await expect(page.getByText('3 nodes (3 captured) · 6 pods', { exact: false })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Legend' })).toBeVisible();
    await screenshotThemes(page, 'graph');
  });

  test('search selects a pod and shows its facts and its way out', async ({ page }) => {
    await page.goto('/?cluster=demo');
    await expect(graph(page)).toHaveAttribute('data-graph-ready', 'true');
    await page.keyboard.press('/');
    const search = page.getByRole('searchbox', { name: 'Search pods, IPs, interfaces, MACs' });
    await expect(search).toBeFocused();
    await search.fill('web-node2-a');
    await search.press('Enter');
    await expect(graph(page)).toHaveAttribute('data-selected', 'pod:default/web-node2-a');
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details.getByRole('heading', { name: 'Pod default/web-node2-a' })).toBeVisible();
    await expect(details).toContainText('10.244.2.2');
    await expect(details).toContainText('paired');
    const path = page.getByTestId('pod-path');
    await expect(path.locator('li')).toHaveText([/eth0: default via 10\.244\.2\.1/, /host end of the pod’s veth/, /cni0/, /route 10\.244\.\d\.0\/24 via .* dev flannel\.1/, /flannel\.1: encapsulates \(VNI 1\)/, /eth0: carries the outer packet/]);
    await expect.poll(() => highlighted(page)).toEqual(expect.arrayContaining(['pod:default/web-node2-a', 'if:node2/host/cni0', 'if:node2/host/flannel.1']));
    await page.keyboard.press('Escape');
    await expect(graph(page)).toHaveAttribute('data-selected', '');
  });

  test('clicking a pod highlights its path; Trace to… opens the trace view', async ({ page }) => {
    await page.goto('/?cluster=demo');
    await expect(graph(page)).toHaveAttribute('data-graph-ready', 'true');
    await page.getByRole('button', { name: 'Fit graph to view' }).click();
    let at: { x: number; y: number } | null = null;
    await expect.poll(async () => (at = await renderedCenter(page, 'pod:default/web-node1-a'))).not.toBeNull();
    const box = await page.locator('[data-testid="graph"] canvas').first().boundingBox();
    if (!box || !at) throw new Error('canvas not laid out');
    const p = at as { x: number; y: number };
    await page.mouse.click(box.x + p.x, box.y + p.y);
    await expect(graph(page)).toHaveAttribute('data-selected', 'pod:default/web-node1-a');
    await expect.poll(() => highlighted(page)).toEqual([
      'pod:default/web-node1-a',
      'e:veth:node1/lab-node1-default_web-node1-a/eth0->node1/host/vethc332f235',
      'if:node1/host/vethc332f235',
      'e:bridge-port:node1/host/vethc332f235->node1/host/cni0',
      'if:node1/host/cni0',
      'if:node1/host/flannel.1',
      'e:underlay:node1/host/flannel.1->node1/host/eth0',
      'if:node1/host/eth0',
    ]);
    await expect(graph(page)).not.toHaveAttribute('data-path-ms', '');
    await screenshotThemes(page, 'graph-pod-path');
    await page.getByRole('combobox', { name: 'Trace to (pod or IP)' }).fill('default/web-node3-b');
    await page.getByRole('button', { name: 'Trace', exact: true }).click();
    await expect(page).toHaveURL(/\/trace\?cluster=demo&from=default%2Fweb-node1-a&to=default%2Fweb-node3-b/);
  });

  test('the namespace filter and the theme toggle work from the keyboard', async ({ page }) => {
    await page.goto('/?cluster=demo');
    await expect(graph(page)).toHaveAttribute('data-graph-ready', 'true');
    const toggle = page.getByRole('button', { name: /Switch to (dark|light) mode/ });
    const before = await page.evaluate(() => document.documentElement.classList.contains('dark'));
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(!before);
    await page.getByRole('combobox', { name: 'Filter by namespace' }).selectOption('default');
    await expect(graph(page)).toHaveAttribute('data-graph-ready', 'true');
  });
});
