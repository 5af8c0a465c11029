/**
 * `podnet serve`: starts the built dashboard through scripts/start.mjs, which
 * binds to loopback by default and refuses public addresses without viewer
 * authentication.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from './program';

/** Registers `podnet serve` on the program. */
export function registerServe(program: Command, _io: CliIo, setCode: (code: number) => void): void {
  program
    .command('serve')
    .description('start the dashboard and API (run `npm run build` first); 127.0.0.1:3000 unless told otherwise')
    .option('-H, --hostname <host>', 'address to listen on (beyond loopback needs PODNET_VIEWER_TOKEN)')
    .option('-p, --port <port>', 'TCP port')
    .action(async (opts: { hostname?: string; port?: string }) => {
      const args = [path.join(__dirname, '..', 'scripts', 'start.mjs')];
      if (opts.hostname !== undefined) args.push('--hostname', opts.hostname);
      if (opts.port !== undefined) args.push('--port', opts.port);
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, args, { stdio: 'inherit' });
        const forward = (sig: NodeJS.Signals) => child.kill(sig);
        process.on('SIGINT', forward);
        process.on('SIGTERM', forward);
        child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
      });
      setCode(code);
    });
}
