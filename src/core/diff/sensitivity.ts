/**
 * Which layer hurt most. Per matched tensor: its accumulated noise-to-signal ratio
 * NSR = Σ(x − y)² / Σx² (pooled over samples; SQNR = −10·log10 NSR), the NSR it received from the
 * nearest matched tensors upstream (the worst of them; 0 at graph inputs), and the noise the layer
 * added, ΔNSR = NSR − NSR_in. Independent noises add in NSR, so ΔNSR ranks the layers by how much
 * quantization noise each one introduced; a layer with coarse weights or a clipped range tops it.
 * The local SQNR (a tensor before vs after its own Q/DQ pair) is a second, inference-local view.
 */
import type { DiffSummary } from './accumulator.ts';
import type { TensorMatch } from './layers.ts';

/** A matched tensor's measured differences (see analysis.ts). */
export interface TensorDiffResult {
  match: TensorMatch;
  /** Float-model tensor vs quantized-model tensor. */
  accumulated: DiffSummary;
  /** QDQ only: the tensor before vs after its own QuantizeLinear/DequantizeLinear pair. */
  local?: DiffSummary;
}

/** One layer's place in the ranking. */
export interface LayerSensitivity {
  floatTensor: string;
  floatNode: string | null;
  opType: string;
  nodeIndex: number;
  accumulatedSqnrDb: number;
  /** SQNR of the worst matched input (+Infinity when the inputs are exact or the layer reads graph inputs). */
  incomingSqnrDb: number;
  /** incomingSqnrDb − accumulatedSqnrDb (+Infinity when the input was exact). */
  sqnrDropDb: number;
  /** Noise-to-signal ratio this layer added: NSR − NSR_in. */
  addedNoise: number;
  localSqnrDb?: number;
  /** 1-based place in `byAddedNoise`. */
  rank: number;
}

/** The layers in graph order and ranked. */
export interface SensitivityRanking {
  graphOrder: LayerSensitivity[];
  /** Most added noise first. */
  byAddedNoise: LayerSensitivity[];
  /** Lowest local SQNR first (QDQ tensors with a local measurement only). */
  byLocalSqnr: LayerSensitivity[];
}

/** Ranks the matched tensors by the quantization noise each added. */
export function rankSensitivity(results: readonly TensorDiffResult[]): SensitivityRanking {
  const noiseOf = new Map(results.map((r) => [r.match.floatTensor, noiseRatio(r.accumulated)]));
  const rows: LayerSensitivity[] = results.map((r) => {
    const noise = noiseOf.get(r.match.floatTensor) ?? NaN;
    const incoming = r.match.upstream.reduce((worst, name) => Math.max(worst, noiseOf.get(name) ?? 0), 0);
    const accumulatedSqnrDb = r.accumulated.pooled.sqnrDb;
    const incomingSqnrDb = incoming === 0 ? Infinity : -10 * Math.log10(incoming);
    return {
      floatTensor: r.match.floatTensor,
      floatNode: r.match.floatNode,
      opType: r.match.opType,
      nodeIndex: r.match.nodeIndex,
      accumulatedSqnrDb,
      incomingSqnrDb,
      sqnrDropDb: incomingSqnrDb === Infinity && accumulatedSqnrDb === Infinity ? 0 : incomingSqnrDb - accumulatedSqnrDb,
      addedNoise: noise - incoming,
      ...(r.local ? { localSqnrDb: r.local.pooled.sqnrDb } : {}),
      rank: 0,
    };
  });
  const byAddedNoise = [...rows].sort((a, b) => descendingNaNLast(a.addedNoise, b.addedNoise));
  byAddedNoise.forEach((row, i) => (row.rank = i + 1));
  const byLocalSqnr = rows.filter((r) => r.localSqnrDb !== undefined).sort((a, b) => descendingNaNLast(-(a.localSqnrDb ?? 0), -(b.localSqnrDb ?? 0)));
  return { graphOrder: rows, byAddedNoise, byLocalSqnr };
}

/** Σ(x − y)² / Σx² of the pooled samples (0 for an exact match). */
function noiseRatio(summary: DiffSummary): number {
  return summary.pooled.normalizedMse;
}

function descendingNaNLast(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a === b ? 0 : a > b ? -1 : 1;
}
