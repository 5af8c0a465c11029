/**
 * The upload view against the real server: a pasted transcript is read and
 * previewed before anything is stored, added to the demo cluster under the
 * node name given, and shows up in the cluster's node list; garbage gets an
 * error naming the file and the line, without losing what was accepted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, screenshotThemes } from './helpers/fixtures';
import { ROOT } from './helpers/server';

const TRANSCRIPT = 'cni0-host-routes-single-node.txt';
const NODE = 'e2e-uploaded-node';

test('a transcript is previewed, added with its node name, and its node joins the cluster; garbage is refused by file and line', async ({ page, podnet }) => {
  await page.goto('/upload');
  await page.getByLabel('Cluster').fill(podnet.cluster);
  await page.getByLabel('Write token').fill(podnet.token);

  await page.getByLabel('Choose files').setInputFiles([
    { name: TRANSCRIPT, mimeType: 'text/plain', buffer: readFileSync(path.join(ROOT, 'e2e', 'fixtures', 'captures', TRANSCRIPT)) },
    { name: 'garbage.txt', mimeType: 'text/plain', buffer: Buffer.from('\u0001\u0002 this is not evidence {{{\n%%%% nor this\n') },
  ]);

  // What was read, before anything is stored: the node, the pod with its IP, cni0 and its ports.
  const card = page.getByRole('article', { name: `File ${TRANSCRIPT}` });
  await expect(card.getByRole('textbox', { name: 'Node name' })).toHaveValue('10.30.180.56');
  await expect(card.getByText('dev/signin-test-a-8bcd5db69-9z2c5 172.22.0.253')).toBeVisible();
  await expect(card.getByText(/cni0: \d+ ports/)).toBeVisible();
  expect((await podnet.nodes()).nodes.map((n) => n.node)).not.toContain(NODE);

  // Garbage: the file and the line, in words.
  const garbage = page.getByRole('article', { name: 'File garbage.txt' });
  await expect(garbage.getByRole('alert')).toContainText('garbage.txt, line 1:');
  await expect(garbage.getByRole('alert')).toContainText('no commands or evidence podnet can read');
  await expect(garbage.getByRole('button', { name: /Add to cluster/ })).toHaveCount(0);

  await card.getByRole('textbox', { name: 'Node name' }).fill(NODE);
  await card.getByRole('button', { name: `Add to cluster ${podnet.cluster}` }).click();
  const added = card.getByRole('status', { name: `Added: ${TRANSCRIPT}` });
  // Whichever answer comes, and if it is a refusal, the test says which.
  await expect(added.or(card.getByRole('alert')).first()).toBeVisible();
  await expect(card.getByRole('alert'), 'the add was refused').toHaveCount(0);
  await expect(added).toContainText(new RegExp(`added as node ${NODE}: revision \\d+ \\(accepted\\)`));
  await expect(added.getByRole('link', { name: 'Open the graph' })).toHaveAttribute('href', `/?cluster=${podnet.cluster}`);

  // The node is in the cluster: in the page's node list and through the API.
  await expect(page.getByRole('list', { name: `Nodes in ${podnet.cluster}` })).toContainText(NODE);
  await expect.poll(async () => (await podnet.nodes()).nodes.map((n) => n.node)).toContain(NODE);

  // A broken snapshot document added after: refused with its line, the accepted file stays accepted.
  const broken = readFileSync(path.join(ROOT, 'e2e', 'lab', 'captures', 'flannel-vxlan', 'node3.json'), 'utf8').replace('"routes": [', '"routes": [ oops');
  await page.getByLabel('Choose files').setInputFiles([{ name: 'node3-broken.json', mimeType: 'application/json', buffer: Buffer.from(broken) }]);
  const brokenCard = page.getByRole('article', { name: 'File node3-broken.json' });
  await expect(brokenCard.getByRole('alert').first()).toContainText(/node3-broken\.json, (line \d+|field \S+):/);
  await expect(added).toBeVisible();

  await screenshotThemes(page, 'upload');
});

test('a wrong token is refused with the reason, and the file can be added once the token is right', async ({ page, podnet }) => {
  await page.goto('/upload');
  await page.getByLabel('Cluster').fill(podnet.cluster);
  await page.getByLabel('Write token').fill('pn_not-a-real-token');
  await page.getByLabel('Choose files').setInputFiles([
    { name: 'node1-docker0.txt', mimeType: 'text/plain', buffer: readFileSync(path.join(ROOT, 'e2e', 'fixtures', 'docker0-flannel', 'node1.txt')) },
  ]);
  const card = page.getByRole('article', { name: 'File node1-docker0.txt' });
  // As a person does: wait for the preview to propose a node name, then overwrite it
  // (typing while the proposal lands would interleave the two).
  await expect(card.getByRole('textbox', { name: 'Node name' })).toHaveValue('node1');
  await card.getByRole('textbox', { name: 'Node name' }).fill('e2e-docker0-node');
  await card.getByRole('button', { name: /Add to cluster/ }).click();
  await expect(card.getByRole('alert')).toContainText(`the token is not valid for cluster ${podnet.cluster}`);

  await page.getByLabel('Write token').fill(podnet.token);
  await card.getByRole('button', { name: /Add to cluster/ }).click();
  await expect(card.getByRole('status', { name: 'Added: node1-docker0.txt' })).toContainText('added as node e2e-docker0-node');
  // The token is remembered for this tab.
  await page.reload();
  await expect(page.getByLabel('Write token')).toHaveValue(podnet.token);
});
