import { QuantLensError } from '../errors.ts';

/** What the split needs to know about a sample. */
export interface SplitItem {
  index: number;
  label: number | null;
  /** Content hash (fingerprint.ts sampleHash): equal hashes are the same content. */
  sha256: string;
}

/** How much goes to calibration, per class: a fraction of its distinct contents, or a count. */
export type CalibrationSize = { fraction: number } | { perClass: number };

/** The seed and the calibration size. */
export interface SplitOptions {
  /** Any integer; taken modulo 2^32. The same seed and items always give the same split. */
  seed: number;
  calibration: CalibrationSize;
}

/** Samples with the same content: all of them land on one side. */
export interface DuplicateGroup {
  sha256: string;
  indices: number[];
  side: 'test' | 'calibration';
  /** The copies carry different labels (the group is filed under its first sample's label). */
  conflictingLabels: boolean;
}

/** The two parts, by sample index, and the duplicate contents found. */
export interface DatasetSplit {
  /** Sample indices, ascending. */
  test: number[];
  calibration: number[];
  duplicates: DuplicateGroup[];
}

/**
 * mulberry32 (Tommy Ettinger's 32-bit generator): state = seed >>> 0; each call adds 0x6D2B79F5
 * to the state and mixes it into a float in [0, 1). Small, fast, and the same in every language.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded, stratified split into test and calibration parts, disjoint by content. Exactly:
 * 1. items are sorted by index and grouped by sha256 (a group = one distinct content, filed
 *    under the label of its lowest-index sample);
 * 2. classes are visited in label order, unlabelled last; one mulberry32(seed) stream serves all;
 * 3. in each class the groups (in order of first index) are shuffled by Fisher-Yates from the last
 *    position down: j = floor(random() * (i + 1)), swap i and j;
 * 4. the first k groups go to calibration: k = min(perClass, groups), or round(fraction * groups);
 *    the rest go to test. Every copy of a content goes with its group, and groups of more than
 *    one sample are reported as duplicates.
 */
export function splitDataset(items: readonly SplitItem[], options: SplitOptions): DatasetSplit {
  const size = options.calibration;
  if ('fraction' in size && !(size.fraction >= 0 && size.fraction <= 1)) {
    throw new QuantLensError('invalid-input', `A calibration fraction of ${size.fraction} is not between 0 and 1.`, 'Pick a fraction such as 0.1 (10 % of each class).');
  }
  if ('perClass' in size && !(Number.isInteger(size.perClass) && size.perClass >= 0)) {
    throw new QuantLensError('invalid-input', `${size.perClass} samples per class is not a whole number >= 0.`, 'Pick a count such as 10 per class.');
  }
  if (!Number.isFinite(options.seed)) throw new QuantLensError('invalid-input', `The seed ${options.seed} is not a number.`, 'Pick an integer seed such as 42.');

  const groups = new Map<string, SplitItem[]>();
  for (const item of [...items].sort((a, b) => a.index - b.index)) {
    const group = groups.get(item.sha256);
    if (group) group.push(item);
    else groups.set(item.sha256, [item]);
  }
  const byClass = new Map<number | null, SplitItem[][]>();
  for (const group of groups.values()) {
    const label = group[0].label;
    const list = byClass.get(label);
    if (list) list.push(group);
    else byClass.set(label, [group]);
  }
  const classes = [...byClass.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
  const random = mulberry32(options.seed);
  const side = new Map<string, 'test' | 'calibration'>();
  for (const label of classes) {
    const classGroups = [...(byClass.get(label) ?? [])];
    for (let i = classGroups.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [classGroups[i], classGroups[j]] = [classGroups[j], classGroups[i]];
    }
    const k = 'perClass' in size ? Math.min(size.perClass, classGroups.length) : Math.round(size.fraction * classGroups.length);
    classGroups.forEach((group, position) => side.set(group[0].sha256, position < k ? 'calibration' : 'test'));
  }

  const split: DatasetSplit = { test: [], calibration: [], duplicates: [] };
  for (const [sha256, group] of groups) {
    const where = side.get(sha256) ?? 'test';
    for (const item of group) split[where].push(item.index);
    if (group.length > 1) {
      split.duplicates.push({ sha256, indices: group.map((g) => g.index), side: where, conflictingLabels: group.some((g) => g.label !== group[0].label) });
    }
  }
  split.test.sort((a, b) => a - b);
  split.calibration.sort((a, b) => a - b);
  return split;
}

/** Contents present in both of two separately chosen parts (e.g. an imported calibration set). */
export function findOverlap(test: readonly SplitItem[], calibration: readonly SplitItem[]): { sha256: string; testIndices: number[]; calibrationIndices: number[] }[] {
  const indicesByHash = (items: readonly SplitItem[], keep: (sha256: string) => boolean) => {
    const map = new Map<string, number[]>();
    for (const item of items) {
      if (!keep(item.sha256)) continue;
      const list = map.get(item.sha256);
      if (list) list.push(item.index);
      else map.set(item.sha256, [item.index]);
    }
    return map;
  };
  const inCalibration = indicesByHash(calibration, () => true);
  const overlap = indicesByHash(test, (sha256) => inCalibration.has(sha256));
  return [...overlap].map(([sha256, testIndices]) => ({ sha256, testIndices, calibrationIndices: inCalibration.get(sha256) ?? [] }));
}
