/**
 * Collection cost on a node with 110 pods (the kubelet's default maximum).
 * Builds one lab node in network namespaces (host netns with cni0 and
 * flannel.1, 110 pod netns each joined by a veth), collects it N times at a
 * fixed interval the way `podnet collect --interval` does, and prints CPU
 * time per collection (this process plus every `ip` child it waited for),
 * peak RSS, snapshot size raw and gzip, and the share of one core at a 30 s
 * interval. Deletes exactly the namespaces it made.
 *
 *   npx tsx collector/bench.ts [--pods 110] [--runs 10] [--interval 2s]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { collectNode } from './collect';
import { execCommand, mustRun, type Exec } from './exec';
import { sleep } from './push';
import { shellRunMany, type RunMany } from './runner';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(v);
  if (!m) throw new Error(`--${name} ${v}: expected a number`);
  return m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
}

/** CPU of waited-for children, from /proc/self/stat (cutime + cstime, in clock ticks). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[13]) + Number(rest[14]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux.
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function buildNode(prefix: string, pods: number): Promise<string[]> {
  const host = `${prefix}-node`;
  const made: string[] = [];
  // One `ip -n NETNS -batch -` per namespace: building 110 pods one command at a time takes minutes.
  const batch = async (netns: string, lines: string[]) => {
    const r = await new Promise<{ code: number; err: string }>((resolve) => {
      const child = spawn('ip', ['-n', netns, '-batch', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, err }));
      child.stdin.end(`${lines.join('\n')}\n`);
    });
    if (r.code !== 0) throw new Error(`ip -n ${netns} -batch failed: ${r.err}`);
  };
  await mustRun(execCommand, 'ip', ['netns', 'add', host]);
  made.push(host);
  const podNames = Array.from({ length: pods }, (_, i) => `${prefix}-p${String(i).padStart(3, '0')}`);
  for (const p of podNames) {
    await mustRun(execCommand, 'ip', ['netns', 'add', p]);
    made.push(p);
  }
  const hostLines = [
    'link set lo up',
    // The underlay NIC: one end of a veth whose other end stays in the node (no dummy device in this kernel).
    'link add eth0 type veth peer name uplink0',
    'link set uplink0 up',
    'addr add 192.168.50.11/24 dev eth0',
    'link set eth0 up',
    'link add cni0 type bridge',
    'addr add 10.244.1.1/24 dev cni0',
    'link set cni0 up',
    'link add flannel.1 type vxlan id 1 local 192.168.50.11 dev eth0 dstport 8472 nolearning',
    'addr add 10.244.1.0/32 dev flannel.1',
    'link set flannel.1 up',
  ];
  // Routes and permanent neighbours towards 19 other nodes, as flanneld writes them.
  for (let n = 2; n <= 20; n++) {
    hostLines.push(`route add 10.244.${n}.0/24 via 10.244.${n}.0 dev flannel.1 onlink`);
    hostLines.push(`neigh add 10.244.${n}.0 lladdr 02:00:00:00:00:${n.toString(16).padStart(2, '0')} dev flannel.1 nud permanent`);
  }
  const veths = podNames.map(() => `veth${randomBytes(4).toString('hex')}`);
  podNames.forEach((p, i) => {
    hostLines.push(`link add ${veths[i]} type veth peer name eth0 netns ${p}`);
    hostLines.push(`link set ${veths[i]} master cni0 up`);
  });
  await batch(host, hostLines);
  for (let i = 0; i < podNames.length; i++) {
    const p = podNames[i] as string;
    await batch(p, ['link set lo up', `addr add 10.244.1.${(i % 250) + 2}/24 dev eth0`, 'link set eth0 up', 'route add default via 10.244.1.1 dev eth0']);
  }
  return made;
}

async function main(): Promise<void> {
  const pods = arg('pods', 110);
  const runs = arg('runs', 10);
  const intervalMs = arg('interval', 2000);
  const prefix = `e11b${randomBytes(2).toString('hex')}`;
  let made: string[] = [];
  try {
    const t0 = Date.now();
    made = await buildNode(prefix, pods);
    console.log(`built ${prefix}: host netns + ${pods} pod netns in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const cpu: number[] = [];
    const selfCpu: number[] = [];
    const wall: number[] = [];
    let raw = 0;
    let gz = 0;
    let processes = 0;
    // Every process the collection starts: the ones Node spawns itself, and each command (plus the shell) a runner spawns.
    const counting: Exec = async (file, args) => {
      processes++;
      return execCommand(file, args);
    };
    const shell = shellRunMany();
    const countingRunner: RunMany = async (cmds) => {
      processes += cmds.length + 1;
      return shell(cmds);
    };
    for (let i = 0; i < runs + 1; i++) {
      const start = Date.now();
      const s0 = selfCpuMs();
      const c0 = s0 + childrenCpuMs();
      processes = 0;
      const { snapshot, warnings } = await collectNode({ nodeName: 'bench', hostNetns: `${prefix}-node`, podNetns: `${prefix}-p*`, exec: counting, runMany: countingRunner });
      const json = JSON.stringify(snapshot);
      const body = gzipSync(Buffer.from(json));
      const s1 = selfCpuMs();
      const c1 = s1 + childrenCpuMs();
      if (warnings.length > 0) console.log(`run ${i}: ${warnings.length} warnings, first: ${warnings[0]}`);
      if (snapshot.namespaces.length !== pods + 1) throw new Error(`collected ${snapshot.namespaces.length} netns, expected ${pods + 1}`);
      raw = json.length;
      gz = body.length;
      // The first run pays for loading the readers and warming the JIT: reported apart.
      if (i === 0) console.log(`first collection: ${(c1 - c0).toFixed(0)} ms CPU, ${Date.now() - start} ms wall, ${processes} processes`);
      else {
        cpu.push(c1 - c0);
        selfCpu.push(s1 - s0);
        wall.push(Date.now() - start);
      }
      await sleep(Math.max(0, start + intervalMs - Date.now()));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const sorted = [...cpu].sort((a, b) => a - b);
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const cpuMean = mean(cpu);
    console.log(`collections: ${runs} at one per ${intervalMs / 1000} s, ${processes} processes each (${pods} pods + host)`);
    console.log(`CPU per collection (self + children): mean ${cpuMean.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`);
    console.log(`  of which the collector process: mean ${mean(selfCpu).toFixed(0)} ms; iproute2 children: ${(cpuMean - mean(selfCpu)).toFixed(0)} ms`);
    console.log(`wall per collection: mean ${mean(wall).toFixed(0)} ms`);
    console.log(`peak RSS of the collector process: ${rssMb.toFixed(1)} MB`);
    console.log(`snapshot: ${(raw / 1024).toFixed(0)} KiB JSON, ${(gz / 1024).toFixed(0)} KiB gzip`);
    console.log(`at a 30 s interval: ${((cpuMean / 30_000) * 100).toFixed(2)} % of one core (target < 1 %), RSS target < 60 MB`);
  } finally {
    for (const ns of made.reverse()) await execCommand('ip', ['netns', 'del', ns]);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
