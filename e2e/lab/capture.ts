/**
 * Captures every node of a built lab both ways a user would give podnet
 * evidence: a JSON snapshot from the collector and a pasted-style transcript.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { collectNode } from '../../collector/collect';
import { captureTranscript } from '../../collector/transcript';
import type { Snapshot } from '../../lib/snapshot/schema';
import type { Lab } from './lab';

/** One node's evidence, both ways. */
export interface NodeCapture {
  node: string;
  snapshot: Snapshot;
  transcript: string;
  warnings: string[];
}

/** Where the lab keeps throwaway captures (gitignored). */
export const LAB_OUT_DIR = path.join(__dirname, 'out');

/** Collects and transcribes every node of the lab. */
export async function captureLab(lab: Lab): Promise<NodeCapture[]> {
  return Promise.all(
    lab.nodes.map(async (node) => {
      const podNetns = lab.pods.filter((p) => p.node === node.name).map((p) => p.netns);
      const [collected, transcript] = await Promise.all([
        collectNode({ nodeName: node.name, hostNetns: node.netns, podNetns, podIdentity: lab.podIdentity }),
        captureTranscript({ nodeName: node.name, hostNetns: node.netns, podNetns }),
      ]);
      return { node: node.name, snapshot: collected.snapshot, transcript, warnings: collected.warnings };
    }),
  );
}

/** Writes `<node>.json` and `<node>.txt` for every node into dir. */
export async function writeCaptures(dir: string, captures: readonly NodeCapture[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const c of captures) {
    const json = path.join(dir, `${c.node}.json`);
    const txt = path.join(dir, `${c.node}.txt`);
    await writeFile(json, `${JSON.stringify(c.snapshot, null, 2)}\n`);
    await writeFile(txt, c.transcript);
    files.push(json, txt);
  }
  return files;
}
