/**
 * Op coverage: which nodes of a model ran on the accelerator and which fell back to ORT's CPU
 * kernels, read from onnxruntime's own session log (`logSeverityLevel: 0`). Two kinds of lines are
 * used, both written by ORT itself while it creates a session:
 *  - session_state.cc `VerifyEachNodeIsAssignedToAnEp`: the final placement of every node, per
 *    execution provider ("Node(s) placed on [CPUExecutionProvider]. Number of nodes: 9" then one
 *    "  OpType (node name)" line per node, or "All nodes placed on [X]. Number of nodes: N").
 *  - webnn_execution_provider.cc `GetCapability`: how many nodes a compiling provider (WebNN) took
 *    into its fused partitions, which the placement lists as one `WEBNN_<hash>_<n>` node each.
 * Lines are matched on those stable markers only (not on timestamps or file line numbers).
 */

export interface OpCoverage {
  /** ORT's name of the accelerator provider, e.g. 'WebNNExecutionProvider'. */
  executionProvider: string;
  /** Nodes of the graph ORT ran (after its own graph optimizations) that ran on the accelerator. */
  acceleratedNodes: number;
  /** acceleratedNodes plus the nodes that fell back to the CPU (copies not counted). */
  totalNodes: number;
  /** Nodes that ran on ORT's CPU kernels instead, counted by op type. */
  cpuOps: Record<string, number>;
  /** Memcpy nodes ORT inserted to move tensors between the CPU and the accelerator. */
  copyNodes: number;
}

const PLACEMENT = /VerifyEachNodeIsAssignedToAnEp\]\s+(All nodes placed on|Node\(s\) placed on) \[(\w+)\]\. Number of nodes: (\d+)/;
const PLACED_NODE = /VerifyEachNodeIsAssignedToAnEp\]\s{3}(\S+) \((.*)\)\s*$/;
const PLACEMENTS_START = /VerifyEachNodeIsAssignedToAnEp\] Node placements/;
const FUSED_CAPABILITY = /(\w+)ExecutionProvider::GetCapability,.*number of nodes supported by \w+: (\d+)/;
const CPU = 'CPUExecutionProvider';
const COPY_OPS = new Set(['MemcpyToHost', 'MemcpyFromHost']);

interface Placement {
  provider: string;
  count: number;
  /** Empty when ORT printed "All nodes placed on" (it lists no nodes then). */
  nodes: { opType: string; name: string }[];
}

/**
 * Reads the op coverage out of ORT's verbose session-creation log. Returns null when the log holds
 * no placement block (the log was not verbose, or a future ORT words it differently): the caller
 * then says "unknown" rather than guessing.
 */
export function parseOpCoverage(lines: readonly string[]): OpCoverage | null {
  const placements = lastPlacementBlock(lines);
  if (!placements || placements.length === 0) return null;
  const fusedByPrefix = fusedNodeCounts(lines);
  const accelerators = placements.filter((p) => p.provider !== CPU);
  const cpu = placements.find((p) => p.provider === CPU);
  const cpuOps: Record<string, number> = {};
  for (const node of cpu?.nodes ?? []) if (!COPY_OPS.has(node.opType)) cpuOps[node.opType] = (cpuOps[node.opType] ?? 0) + 1;
  // "All nodes placed on [CPUExecutionProvider]" lists no nodes: only the count is known then.
  const cpuNodes = cpu && cpu.nodes.length === 0 ? cpu.count : Object.values(cpuOps).reduce((a, b) => a + b, 0);
  const acceleratedNodes = accelerators.reduce((n, p) => n + acceleratedCount(p, fusedByPrefix), 0);
  const copyNodes = placements.reduce((n, p) => n + p.nodes.filter((node) => COPY_OPS.has(node.opType)).length, 0);
  return {
    executionProvider: accelerators[0]?.provider ?? CPU,
    acceleratedNodes,
    totalNodes: acceleratedNodes + cpuNodes,
    cpuOps,
    copyNodes,
  };
}

/** Model nodes one accelerator ran: a fused partition counts as the nodes inside it; copies are not model nodes. */
function acceleratedCount(placement: Placement, fusedByPrefix: Map<string, number>): number {
  const fusedCount = fusedByPrefix.get(placement.provider.replace(/ExecutionProvider$/, '').toUpperCase());
  if (placement.nodes.length === 0) return fusedCount ?? placement.count; // "All nodes placed on": no list printed
  const fused = placement.nodes.filter((node) => isFusedNode(node, placement.provider)).length;
  const plain = placement.nodes.filter((node) => !COPY_OPS.has(node.opType) && !isFusedNode(node, placement.provider)).length;
  return plain + (fused > 0 ? (fusedCount ?? fused) : 0);
}

/** A compiled partition: ORT names it `<Provider>_<OpType>_<n>`, e.g. WebNNExecutionProvider_WEBNN_1532..._1_0. */
function isFusedNode(node: { opType: string; name: string }, provider: string): boolean {
  return node.name.startsWith(`${provider}_${node.opType}`);
}

/** The last "Node placements" block (ORT logs one per session; a log may hold several sessions). */
function lastPlacementBlock(lines: readonly string[]): Placement[] | null {
  let start = -1;
  lines.forEach((line, i) => PLACEMENTS_START.test(line) && (start = i));
  if (start < 0) return null;
  const placements: Placement[] = [];
  for (const line of lines.slice(start + 1)) {
    const header = PLACEMENT.exec(line);
    if (header) {
      placements.push({ provider: header[2], count: Number(header[3]), nodes: [] });
      continue;
    }
    const node = PLACED_NODE.exec(line);
    if (node && placements.length > 0) {
      placements[placements.length - 1].nodes.push({ opType: node[1], name: node[2] });
      continue;
    }
    if (/VerifyEachNodeIsAssignedToAnEp/.test(line)) continue; // its closing warning
    break;
  }
  return placements;
}

/** Nodes a compiling provider took, from its last GetCapability summary, keyed by its fused-node prefix (e.g. 'WEBNN'). */
function fusedNodeCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const match = FUSED_CAPABILITY.exec(line);
    if (match) counts.set(match[1].toUpperCase(), Number(match[2]));
  }
  return counts;
}

/** "31 of 33 nodes on WebNN NPU; Hardmax and TopK ran on the CPU", for the results table. */
export function describeCoverage(coverage: OpCoverage, providerLabel: string): string {
  const head = `${coverage.acceleratedNodes} of ${coverage.totalNodes} nodes on ${providerLabel}`;
  const fallbacks = Object.entries(coverage.cpuOps).sort(([a], [b]) => a.localeCompare(b));
  if (fallbacks.length === 0) return `${head}; none fell back to the CPU`;
  const names = fallbacks.map(([op, n]) => (n > 1 ? `${op} (${n})` : op));
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `${head}; ${list} ran on the CPU`;
}

/**
 * What a run records about its provider beyond the result document's own fields: the op coverage
 * and the WebNN options. Read back defensively: documents saved before, or imported from
 * elsewhere, may lack them or carry something else.
 */
export interface ProviderRecordExtras {
  coverage?: OpCoverage;
  webnn?: { powerPreference: 'default' | 'high-performance' | 'low-power'; fp16: boolean };
}

export function providerRecordExtras(record: object): ProviderRecordExtras {
  const { coverage, webnn } = record as Record<string, unknown>;
  const extras: ProviderRecordExtras = {};
  if (isCoverage(coverage)) extras.coverage = coverage;
  if (isWebnnOptions(webnn)) extras.webnn = webnn;
  return extras;
}

function isCoverage(value: unknown): value is OpCoverage {
  const c = value as OpCoverage | null;
  return (
    typeof c === 'object' && c !== null &&
    typeof c.executionProvider === 'string' &&
    [c.acceleratedNodes, c.totalNodes, c.copyNodes].every((n) => Number.isInteger(n) && n >= 0) &&
    typeof c.cpuOps === 'object' && c.cpuOps !== null &&
    Object.values(c.cpuOps).every((n) => Number.isInteger(n) && n > 0)
  );
}

function isWebnnOptions(value: unknown): value is ProviderRecordExtras['webnn'] {
  const w = value as ProviderRecordExtras['webnn'] | null;
  return typeof w === 'object' && w !== null && ['default', 'high-performance', 'low-power'].includes(w.powerPreference) && typeof w.fp16 === 'boolean';
}
