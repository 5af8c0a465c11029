/**
 * The collector's on-disk queue. Every collected snapshot is written here
 * before it is sent, and a file is deleted only after the server answered
 * 2xx, so a crash or an unreachable server loses nothing within the bound.
 * Files are named by a zero-padded sequence so the directory order is the
 * collection order; the bytes are the exact gzip body that will be POSTed,
 * so a re-send after a lost answer is identical content (the server dedupes).
 */
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Bounds of a spool: the oldest entries go first when either is passed. */
export interface SpoolLimits {
  maxCount: number;
  maxBytes: number;
}

/** One queued snapshot. */
export interface SpoolEntry {
  /** File name inside the spool directory (`000000000042-node1.json.gz`). */
  file: string;
  size: number;
}

const SUFFIX = '.json.gz';
const NAME = /^(\d{12})-.*\.json\.gz$/;

/** Default spool directory: /var/lib/podnet/spool when it can be made, else ./data/spool. */
export async function defaultSpoolDir(): Promise<string> {
  const system = '/var/lib/podnet/spool';
  try {
    await mkdir(system, { recursive: true });
    await writeFile(path.join(system, '.probe'), '');
    await unlink(path.join(system, '.probe'));
    return system;
  } catch {
    return path.resolve('data', 'spool');
  }
}

/** A bounded, ordered directory of gzip snapshot bodies. */
export class Spool {
  private nextSeq: number | undefined;

  constructor(
    readonly dir: string,
    readonly limits: SpoolLimits,
    private readonly warn: (message: string) => void,
  ) {}

  /** Queued entries, oldest first. */
  async list(): Promise<SpoolEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const files = names.filter((n) => NAME.test(n)).sort();
    const out: SpoolEntry[] = [];
    for (const file of files) {
      try {
        out.push({ file, size: (await stat(path.join(this.dir, file))).size });
      } catch {
        // Removed between readdir and stat (another drain): not queued any more.
      }
    }
    return out;
  }

  private async seq(): Promise<number> {
    if (this.nextSeq === undefined) {
      const last = (await this.list()).at(-1);
      this.nextSeq = last ? Number(NAME.exec(last.file)?.[1] ?? 0) + 1 : 1;
    }
    return this.nextSeq++;
  }

  /**
   * Queues one body, then enforces the bound. Written to a temporary name
   * and renamed, so a reader never sees half a file.
   */
  async add(body: Buffer, label: string): Promise<SpoolEntry> {
    await mkdir(this.dir, { recursive: true });
    const safe = label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
    const file = `${String(await this.seq()).padStart(12, '0')}-${safe}${SUFFIX}`;
    const tmp = path.join(this.dir, `.${file}.tmp`);
    await writeFile(tmp, body);
    await rename(tmp, path.join(this.dir, file));
    await this.enforce();
    return { file, size: body.length };
  }

  /** Drops the oldest entries until both bounds hold; each drop is a warning (evidence is lost). */
  async enforce(): Promise<void> {
    const entries = await this.list();
    let bytes = entries.reduce((n, e) => n + e.size, 0);
    let count = entries.length;
    for (const e of entries) {
      if (count <= this.limits.maxCount && bytes <= this.limits.maxBytes) break;
      // Never drop the newest: one snapshot larger than maxBytes is still sent.
      if (count === 1) break;
      await unlink(path.join(this.dir, e.file)).catch(() => undefined);
      count--;
      bytes -= e.size;
      this.warn(`spool full (${this.limits.maxCount} snapshots / ${this.limits.maxBytes} bytes): dropped the oldest, ${e.file}`);
    }
  }

  read(entry: SpoolEntry): Promise<Buffer> {
    return readFile(path.join(this.dir, entry.file));
  }

  /** Sent and acknowledged: gone for good. */
  async remove(entry: SpoolEntry): Promise<void> {
    await unlink(path.join(this.dir, entry.file)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  /** Refused for good by the server: kept aside in `rejected/` with the reason, never retried. */
  async reject(entry: SpoolEntry, reason: string): Promise<string> {
    const dir = path.join(this.dir, 'rejected');
    await mkdir(dir, { recursive: true });
    const dest = path.join(dir, entry.file);
    await rename(path.join(this.dir, entry.file), dest);
    await writeFile(`${dest}.reason.txt`, `${reason}\n`);
    return dest;
  }
}
