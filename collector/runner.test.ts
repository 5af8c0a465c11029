import { describe, expect, it } from 'vitest';
import { shellRunMany } from './runner';

describe('running many commands through one sh', () => {
  it('gives each command its own stdout, stderr and exit status, byte for byte', async () => {
    const run = shellRunMany();
    const results = await run([
      { file: 'printf', args: ['%s', 'no newline at the end'] },
      { file: 'sh', args: ['-c', 'echo out; echo err >&2; exit 3'] },
      { file: 'printf', args: ['%s\n', 'a', '', 'b'] },
      { file: 'true', args: [] },
    ]);
    expect(results).toEqual([
      { stdout: 'no newline at the end', stderr: '', code: 0 },
      { stdout: 'out\n', stderr: 'err\n', code: 3 },
      { stdout: 'a\n\nb\n', stderr: '', code: 0 },
      { stdout: '', stderr: '', code: 0 },
    ]);
  });

  it('passes words as words: shell syntax in an argument stays text', async () => {
    const [r] = await shellRunMany()([{ file: 'printf', args: ['%s|', '$(echo no)', '; echo no', '"\'`', 'a b'] }]);
    expect(r).toEqual({ stdout: '$(echo no)|; echo no|"\'`|a b|', stderr: '', code: 0 });
  });

  it('reports a missing program as exit status 127 and goes on with the rest', async () => {
    const results = await shellRunMany()([{ file: 'podnet-no-such-program', args: [] }, { file: 'echo', args: ['after'] }]);
    expect(results[0]?.code).toBe(127);
    expect(results[1]).toEqual({ stdout: 'after\n', stderr: '', code: 0 });
  });

  it('marks commands the runner never finished as not run', async () => {
    const results = await shellRunMany({ timeoutMs: 300 })([{ file: 'echo', args: ['first'] }, { file: 'sleep', args: ['5'] }, { file: 'echo', args: ['never'] }]);
    expect(results[0]).toEqual({ stdout: 'first\n', stderr: '', code: 0 });
    expect(results[1]?.code).toBe(-1);
    expect(results[1]?.stderr).toMatch(/^not run/);
    expect(results[2]?.code).toBe(-1);
  });

  it('starts nothing for an empty list', async () => {
    expect(await shellRunMany({ shell: 'podnet-no-such-shell' })([])).toEqual([]);
  });
});
