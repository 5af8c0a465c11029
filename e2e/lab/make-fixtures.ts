/**
 * Regenerates the committed capture set of the flannel-vxlan scenario
 * (e2e/lab/captures/flannel-vxlan/): JSON snapshots from the collector and
 * transcripts, one pair per node. Run as root:
 *   ./node_modules/.bin/tsx e2e/lab/make-fixtures.ts
 * The fixed prefix `lab` keeps netns names readable in the fixtures; the
 * script refuses to run while a `lab-*` netns exists, so it never touches
 * namespaces it did not create.
 */
import path from 'node:path';
import { execCommand } from '../../collector/exec';
import { captureLab, writeCaptures } from './capture';
import { requireLab } from './lab';

const PREFIX = 'lab';
const OUT = path.join(__dirname, 'captures', 'flannel-vxlan');

async function main(): Promise<void> {
  const listed = await execCommand('ip', ['netns', 'list']);
  if (listed.stdout.split('\n').some((l) => l.startsWith(`${PREFIX}-`))) {
    throw new Error(`a netns named ${PREFIX}-* already exists; delete it first (ip netns list)`);
  }
  const lab = await requireLab({ scenario: 'flannel-vxlan', prefix: PREFIX });
  try {
    // Let IPv6 duplicate address detection finish, so addresses are not captured as `tentative`.
    await new Promise((r) => setTimeout(r, 2500));
    const captures = await captureLab(lab);
    for (const c of captures) if (c.warnings.length > 0) console.warn(`${c.node}: ${c.warnings.join('\n')}`);
    const files = await writeCaptures(OUT, captures);
    console.log(files.map((f) => path.relative(process.cwd(), f)).join('\n'));
  } finally {
    await lab.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
