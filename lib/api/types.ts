/**
 * Shapes the HTTP API serves (`/api/v1/...`) and the dashboard consumes.
 * Pure types: the route handlers produce them, the UI's hooks read them.
 */
import type { ReadWarning, SkippedBlock, UsedBlock } from '../read/types';
import type { Topology } from '../topology/types';
import type { Trace } from '../trace/types';

/** Every error body: what went wrong and, when it is about user input, where. */
export interface ApiError {
  error: string;
  /** JSON path of the bad field (`namespaces[2].routes[14].dst`) or 1-based line of a transcript. */
  field?: string;
  line?: number;
  /** More problems of the same input, when there are several. */
  issues?: Array<{ field?: string; line?: number; message: string }>;
}

/** `GET /api/v1/clusters` */
export interface ClusterList {
  clusters: Array<{ name: string; revision: number; nodes: number; updatedAt: string | null }>;
}

/** `GET /api/v1/clusters/{cluster}`: one entry of ClusterList. */
export type ClusterInfo = ClusterList['clusters'][number];

/** `GET /api/v1/clusters/{cluster}/revision` and `GET /api/v1/revision?cluster=`: the cheap poll. */
export interface RevisionResponse {
  cluster: string;
  revision: number;
}

/** `GET /api/v1/clusters/{cluster}/nodes/{node}/snapshots`: a node's snapshots, newest first. */
export interface SnapshotHistory {
  cluster: string;
  node: string;
  snapshots: SnapshotMeta[];
}

/** `POST /api/v1/clusters/{cluster}/snapshots` → 201 */
export interface IngestResult {
  id: string;
  node: string;
  /** Cluster revision after this write (unchanged for a duplicate). */
  revision: number;
  /** `accepted`: now the node's latest; `history`: older than the node's latest, kept as history; `duplicate`: identical re-send. */
  status: 'accepted' | 'history' | 'duplicate';
  warnings: ReadWarning[];
  used: UsedBlock[];
  skipped: SkippedBlock[];
}

/** One node as the cluster knows it at a revision. */
export interface NodeEntry {
  node: string;
  latestSnapshotId: string;
  collectedAt: string | null;
  /** Revision at which that snapshot was accepted. */
  revision: number;
  snapshots: number;
}

/** `GET /api/v1/clusters/{cluster}/nodes?at=R` */
export interface NodeList {
  cluster: string;
  revision: number;
  latestRevision: number;
  nodes: NodeEntry[];
}

/** Metadata of one stored snapshot. */
export interface SnapshotMeta {
  id: string;
  node: string;
  revision: number;
  collectedAt: string | null;
  receivedAt: string;
  size: number;
  /** True when retention has removed its body. */
  deleted: boolean;
}

/** Evidence a pinned revision needed but retention removed. */
export interface MissingEvidence {
  node: string;
  snapshotId: string;
}

/** `GET /api/v1/clusters/{cluster}/topology?at=R` */
export interface TopologyResponse {
  cluster: string;
  revision: number;
  latestRevision: number;
  missing: MissingEvidence[];
  /** Set when `missing` is not empty: says plainly that the answer lacks that evidence. */
  notice?: string;
  topology: Topology;
}

/** `GET /api/v1/clusters/{cluster}/trace?from&to&at&size` */
export interface TraceResponse {
  cluster: string;
  /** The revision the answer is pinned to (the latest when `at` was not given). */
  revision: number;
  latestRevision: number;
  /** Evidence of the pinned revision that retention deleted since; the trace is then computed without it and says so. */
  missing: MissingEvidence[];
  /** Set when `missing` is not empty: says plainly that the trace was computed without that evidence. */
  notice?: string;
  trace: Trace;
}

/** One changed thing between two snapshots of a node. */
export interface DiffEntry {
  netns: string;
  section: 'interfaces' | 'addresses' | 'routes' | 'neighbours' | 'fdb';
  change: 'added' | 'removed' | 'changed';
  /** The key that identifies the item (`eth0`, `10.244.2.0/24 table main`, `10.244.2.0 dev flannel.1`). */
  key: string;
  before?: string;
  after?: string;
}

/** `GET /api/v1/clusters/{cluster}/nodes/{node}/diff?from=ID&to=ID` */
export interface SnapshotDiff {
  node: string;
  from: SnapshotMeta;
  to: SnapshotMeta;
  changes: DiffEntry[];
}

/** `POST /api/v1/read`: what a file would contribute, without storing it (the upload preview). */
export interface ReadPreview {
  fileName?: string;
  nodes: string[];
  pods: Array<{ id: string; ip?: string; node?: string }>;
  vethPairs: Array<{ a: string; b?: string; state: 'paired' | 'inferred' | 'unknown' }>;
  bridges: Array<{ id: string; ports: string[] }>;
  tunnels: Array<{ id: string; kind: 'vxlan' | 'ipip'; vni?: number; local?: string; dev?: string; port?: number }>;
  used: UsedBlock[];
  skipped: SkippedBlock[];
  warnings: ReadWarning[];
  error?: { line?: number; message: string };
}
