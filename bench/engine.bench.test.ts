/**
 * The benchmark must keep running end to end (the figures themselves are
 * printed, never asserted): a tiny cluster goes through read, build and traces.
 */
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

describe('engine bench', () => {
  it('reads, builds and traces a small synthetic cluster and reports every trace delivered', async () => {
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bench/engine.bench.ts', '--nodes', '4', '--pods', '3', '--traces', '40'],
        { cwd: ROOT },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(out.stderr).not.toContain('bench failed');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/read 4 snapshots: .* wall/);
    expect(out.stdout).toMatch(/buildTopology: .* wall/);
    expect(out.stdout).toMatch(/cpu user .*, system .*; \d+ minor page faults/);
    expect(out.stdout).toMatch(/topology: 4 nodes, 16 netns, .* 12 pods/);
    expect(out.stdout).toMatch(/pass 1: .*p50 .*p99 .*max/);
    expect(out.stdout).toContain('verdicts: delivered 40  (all delivered, as expected)');
  });
});
