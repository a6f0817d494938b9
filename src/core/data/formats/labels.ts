import { QuantLensError } from '../../errors.ts';
import { decodeUtf8 } from './bytes.ts';

/** A labels file read: class names in index order, and lines worth a look. */
export interface LabelsFile {
  classNames: string[];
  issues: { line: number; reason: string }[];
}

/**
 * Reads a labels file: one class name per line, line N = class index N-1. Names are trimmed;
 * trailing empty lines are dropped; an empty line inside keeps its index (named "#<index>") and is
 * reported, as is a name used twice (both keep their index).
 */
export function parseLabelsFile(input: string | Uint8Array, fileName: string): LabelsFile {
  const lines = decodeUtf8(input, fileName).split(/\r\n|\n|\r/).map((l) => l.trim());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new QuantLensError('dataset-empty', `${fileName}: the labels file is empty.`, 'Write one class name per line, in the order of the model outputs.');
  const issues: LabelsFile['issues'] = [];
  const firstLine = new Map<string, number>();
  const classNames = lines.map((name, i) => {
    if (name === '') {
      issues.push({ line: i + 1, reason: `empty line: class ${i} is named "#${i}"` });
      return `#${i}`;
    }
    const seen = firstLine.get(name);
    if (seen !== undefined) issues.push({ line: i + 1, reason: `"${name}" is also on line ${seen}` });
    else firstLine.set(name, i + 1);
    return name;
  });
  return { classNames, issues };
}

/**
 * Which model output each dataset class is scored against. `toModel[d]` is the output index for
 * dataset label d, or null when that class has no output (its samples are reported, not scored).
 */
export interface LabelMapping {
  datasetClassNames: string[];
  /** Names of the model's outputs when known (labels file, model metadata); null otherwise. */
  modelClassNames: string[] | null;
  modelOutputCount: number;
  toModel: (number | null)[];
  /** How the mapping was made; 'edited' once a person changed it. */
  method: 'name' | 'index' | 'edited';
}

/** Case, spaces, '_' and '-' do not matter when matching names ("Golden_Retriever" = "golden retriever"). */
export function normaliseClassName(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
}

/** Maps dataset classes to model outputs with the same (normalised) name; the rest stay unmapped. */
export function mapLabelsByName(datasetClassNames: readonly string[], modelClassNames: readonly string[]): LabelMapping {
  const outputOf = new Map<string, number>();
  modelClassNames.forEach((name, i) => {
    const key = normaliseClassName(name);
    if (!outputOf.has(key)) outputOf.set(key, i);
  });
  return {
    datasetClassNames: [...datasetClassNames],
    modelClassNames: [...modelClassNames],
    modelOutputCount: modelClassNames.length,
    toModel: datasetClassNames.map((name) => outputOf.get(normaliseClassName(name)) ?? null),
    method: 'name',
  };
}

/**
 * Maps dataset class d to output d. When every dataset class name is a number ("0".."9", as in
 * digit folders), the number is the output index instead, so a folder missing "3" still maps "4" → 4.
 * Indices at or above the output count stay unmapped.
 */
export function mapLabelsByIndex(datasetClassNames: readonly string[], modelOutputCount: number, modelClassNames: readonly string[] | null = null): LabelMapping {
  const numeric = datasetClassNames.length > 0 && datasetClassNames.every((n) => /^\d+$/.test(n.trim()));
  return {
    datasetClassNames: [...datasetClassNames],
    modelClassNames: modelClassNames ? [...modelClassNames] : null,
    modelOutputCount,
    toModel: datasetClassNames.map((name, d) => {
      const output = numeric ? Number(name.trim()) : d;
      return output < modelOutputCount ? output : null;
    }),
    method: 'index',
  };
}

/**
 * The mapping to start from: by name when the model's class names are known and at least half of
 * the dataset's classes match one, else by index.
 */
export function suggestLabelMapping(datasetClassNames: readonly string[], modelOutputCount: number, modelClassNames: readonly string[] | null): LabelMapping {
  if (modelClassNames) {
    const byName = mapLabelsByName(datasetClassNames, modelClassNames);
    const matched = byName.toModel.filter((o) => o !== null).length;
    if (matched * 2 >= datasetClassNames.length && matched > 0) return byName;
  }
  return mapLabelsByIndex(datasetClassNames, modelOutputCount, modelClassNames);
}

/** A copy of the mapping with dataset class `datasetIndex` sent to `output` (null: unmapped). */
export function editLabelMapping(mapping: LabelMapping, datasetIndex: number, output: number | null): LabelMapping {
  if (!Number.isInteger(datasetIndex) || datasetIndex < 0 || datasetIndex >= mapping.datasetClassNames.length) {
    throw new QuantLensError('invalid-input', `There is no dataset class ${datasetIndex} (the dataset has ${mapping.datasetClassNames.length}).`, 'Pick a class from the list.');
  }
  if (output !== null && (!Number.isInteger(output) || output < 0 || output >= mapping.modelOutputCount)) {
    throw new QuantLensError('invalid-input', `The model has no output ${output} (it has ${mapping.modelOutputCount}).`, `Pick an output from 0 to ${mapping.modelOutputCount - 1}.`);
  }
  const toModel = [...mapping.toModel];
  toModel[datasetIndex] = output;
  return { ...mapping, toModel, method: 'edited' };
}

/** Dataset classes with no model output: their samples cannot be scored. */
export function unmappedClasses(mapping: LabelMapping): { index: number; name: string }[] {
  return mapping.toModel.flatMap((output, index) => (output === null ? [{ index, name: mapping.datasetClassNames[index] }] : []));
}

/** Model outputs that two or more dataset classes map to (allowed, but worth showing). */
export function sharedOutputs(mapping: LabelMapping): { output: number; datasetIndices: number[] }[] {
  const byOutput = new Map<number, number[]>();
  mapping.toModel.forEach((output, d) => output !== null && byOutput.set(output, [...(byOutput.get(output) ?? []), d]));
  return [...byOutput].filter(([, ds]) => ds.length > 1).map(([output, datasetIndices]) => ({ output, datasetIndices }));
}

/** The model output a dataset label is scored against; null for unlabelled or unmapped. */
export function modelLabel(mapping: LabelMapping, datasetLabel: number | null): number | null {
  return datasetLabel === null ? null : (mapping.toModel[datasetLabel] ?? null);
}
