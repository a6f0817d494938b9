import { QuantLensError } from '../../errors.ts';
import { decodeUtf8, invalidFile } from './bytes.ts';
import { parseCsv } from './csv.ts';

/** One usable manifest row: a file (relative to the manifest's folder), its label and its tags. */
export interface ManifestRow {
  line: number;
  file: string;
  /** Index into the plan's classNames; null when the row has no label. */
  label: number | null;
  tags?: Record<string, string>;
}

/** A row left out, with its line and why (never fatal). */
export interface ManifestIssue {
  line: number;
  file?: string;
  reason: string;
}

/** A manifest read: class names, usable rows, and per-line issues. */
export interface ManifestPlan {
  classNames: string[];
  rows: ManifestRow[];
  issues: ManifestIssue[];
}

/** What the manifest is checked against. */
export interface ManifestOptions {
  /** Class names from a labels file: a label outside them is reported. Else they come from the rows. */
  classNames?: readonly string[];
  /** Paths that exist next to the manifest (normalised: '/', no './'): a row naming another is reported. */
  files?: ReadonlySet<string>;
  /** Report a line that does not parse and go on, instead of failing the whole manifest. */
  skipMalformedLines?: boolean;
}

interface RawRow {
  line: number;
  file: string;
  label: string | null;
  tags: Record<string, string>;
}

const FILE_KEYS = ['file', 'filename', 'path', 'image'];
const LABEL_KEYS = ['label', 'class'];

/**
 * Reads a manifest, choosing the format by name: `.csv` (RFC 4180, header row) or `.jsonl` /
 * `.ndjson` (one JSON object per line). Columns/fields: `file` (aliases filename, path, image),
 * `label` (alias class; empty = unlabelled; a JSON number means the class named by its digits),
 * `tags` (CSV: `key=value;key=value`, a bare word means `word=true`; JSONL: an object or a list of
 * words), and every other column/field becomes a tag of that name.
 */
export function parseManifest(input: string | Uint8Array, fileName: string, options: ManifestOptions = {}): ManifestPlan {
  const text = decodeUtf8(input, fileName);
  if (/\.(jsonl|ndjson)$/i.test(fileName)) return parseJsonlManifest(text, fileName, options);
  if (/\.csv$/i.test(fileName)) return parseCsvManifest(text, fileName, options);
  throw invalidFile(fileName, 'a manifest must be a .csv or a .jsonl file.', 'Rename it with the extension that matches its content.');
}

/** CSV manifest: the first record is the header; see parseManifest for the columns. */
export function parseCsvManifest(text: string, fileName: string, options: ManifestOptions = {}): ManifestPlan {
  const records = parseCsv(text, fileName);
  const header = records.next();
  if (header.done) throw emptyManifest(fileName);
  const columns = header.value.fields.map((c) => c.trim().toLowerCase());
  const fileColumn = columns.findIndex((c) => FILE_KEYS.includes(c));
  const labelColumn = columns.findIndex((c) => LABEL_KEYS.includes(c));
  if (fileColumn < 0) {
    throw invalidFile(fileName, `line ${header.value.line}: the header has no 'file' column (found: ${columns.join(', ')}).`, "Start the file with a header line such as 'file,label'.");
  }
  const issues: ManifestIssue[] = [];
  const raw: RawRow[] = [];
  for (const record of records) {
    if (record.fields.length !== columns.length) {
      const reason = `has ${record.fields.length} fields, the header has ${columns.length}`;
      if (!options.skipMalformedLines) throw invalidFile(fileName, `line ${record.line}: ${reason}.`, 'Quote fields that contain commas, and give every line the same columns as the header.');
      issues.push({ line: record.line, reason });
      continue;
    }
    const tags: Record<string, string> = {};
    columns.forEach((column, c) => {
      const value = record.fields[c].trim();
      if (c === fileColumn || c === labelColumn || value === '') return;
      if (column === 'tags') Object.assign(tags, parseTagList(value));
      else tags[header.value.fields[c].trim()] = value;
    });
    const label = labelColumn >= 0 ? record.fields[labelColumn].trim() : '';
    raw.push({ line: record.line, file: record.fields[fileColumn].trim(), label: label === '' ? null : label, tags });
  }
  return resolveRows(raw, issues, fileName, options);
}

/** JSONL manifest: one JSON object per non-blank line; see parseManifest for the fields. */
export function parseJsonlManifest(text: string, fileName: string, options: ManifestOptions = {}): ManifestPlan {
  const issues: ManifestIssue[] = [];
  const raw: RawRow[] = [];
  text.split(/\r\n|\n|\r/).forEach((source, i) => {
    const line = i + 1;
    if (source.trim() === '') return;
    const parsed = parseJsonLine(source);
    const problem = typeof parsed === 'string' ? parsed : rowProblem(parsed);
    if (problem !== null) {
      if (!options.skipMalformedLines) throw invalidFile(fileName, `line ${line}: ${problem}.`, 'Each line must be one JSON object such as {"file": "cat/1.png", "label": "cat"}.');
      issues.push({ line, reason: problem });
      return;
    }
    const object = parsed as Record<string, unknown>;
    const keyOf = (names: string[]) => Object.keys(object).find((k) => names.includes(k.toLowerCase()));
    const fileKey = keyOf(FILE_KEYS) as string;
    const labelKey = keyOf(LABEL_KEYS);
    const tags: Record<string, string> = {};
    for (const [key, value] of Object.entries(object)) {
      if (key === fileKey || key === labelKey || value === null || value === undefined) continue;
      if (key.toLowerCase() === 'tags') Object.assign(tags, tagsFromJson(value));
      else tags[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    const label = labelKey === undefined ? null : object[labelKey];
    raw.push({ line, file: String(object[fileKey]).trim(), label: label === null || label === '' ? null : String(label).trim(), tags });
  });
  return resolveRows(raw, issues, fileName, options);
}

function parseJsonLine(source: string): unknown {
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    return `not valid JSON (${error instanceof Error ? error.message : String(error)})`;
  }
}

function rowProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const fileKey = Object.keys(value).find((k) => FILE_KEYS.includes(k.toLowerCase()));
  if (!fileKey) return "no 'file' field";
  const file = (value as Record<string, unknown>)[fileKey];
  if (typeof file !== 'string' || file.trim() === '') return "'file' is not a non-empty string";
  const labelKey = Object.keys(value).find((k) => LABEL_KEYS.includes(k.toLowerCase()));
  const label = labelKey === undefined ? null : (value as Record<string, unknown>)[labelKey];
  if (label !== null && typeof label !== 'string' && !(typeof label === 'number' && Number.isInteger(label))) return "'label' is not a string or an integer";
  return null;
}

/** `a=1;b=2;night` → { a: '1', b: '2', night: 'true' }. */
function parseTagList(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of text.split(';')) {
    const [key, ...rest] = part.split('=');
    if (key.trim() === '') continue;
    tags[key.trim()] = rest.length ? rest.join('=').trim() : 'true';
  }
  return tags;
}

function tagsFromJson(value: unknown): Record<string, string> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((v) => [String(v), 'true']));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }
  return typeof value === 'string' ? parseTagList(value) : { tags: JSON.stringify(value) };
}

/** Normalises a path, or says why it cannot be used. */
export function normaliseManifestPath(file: string): { path: string } | { reason: string } {
  const path = file.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (path === '') return { reason: 'empty file name' };
  if (path.startsWith('/') || /^[a-z]:\//i.test(path)) return { reason: 'absolute path (give it relative to the manifest)' };
  if (path.split('/').includes('..')) return { reason: "path leaves the manifest's folder ('..')" };
  return { path };
}

function resolveRows(raw: RawRow[], issues: ManifestIssue[], fileName: string, options: ManifestOptions): ManifestPlan {
  if (raw.length === 0 && issues.length === 0) throw emptyManifest(fileName);
  const classNames = options.classNames ? [...options.classNames] : sortClassNames([...new Set(raw.flatMap((r) => (r.label === null ? [] : [r.label])))]);
  const classIndex = new Map(classNames.map((name, i) => [name, i]));
  const firstLine = new Map<string, number>();
  const rows: ManifestRow[] = [];
  for (const row of raw) {
    const normal = normaliseManifestPath(row.file);
    if ('reason' in normal) {
      issues.push({ line: row.line, file: row.file, reason: normal.reason });
      continue;
    }
    const seen = firstLine.get(normal.path);
    if (seen !== undefined) {
      issues.push({ line: row.line, file: normal.path, reason: `duplicate file (first listed on line ${seen})` });
      continue;
    }
    firstLine.set(normal.path, row.line);
    if (options.files && !options.files.has(normal.path)) {
      issues.push({ line: row.line, file: normal.path, reason: 'file not found next to the manifest' });
      continue;
    }
    const label = row.label === null ? null : classIndex.get(row.label);
    if (label === undefined) {
      issues.push({ line: row.line, file: normal.path, reason: `unknown label '${row.label}' (not in the labels file)` });
      continue;
    }
    rows.push({ line: row.line, file: normal.path, label, ...(Object.keys(row.tags).length ? { tags: row.tags } : {}) });
  }
  issues.sort((a, b) => a.line - b.line);
  return { classNames, rows, issues };
}

/** Numeric order when every name is a number, else alphabetical (the same rule as folder imports). */
export function sortClassNames(names: string[]): string[] {
  const numeric = names.length > 0 && names.every((n) => /^\d+$/.test(n));
  return numeric ? names.sort((a, b) => Number(a) - Number(b)) : names.sort((a, b) => a.localeCompare(b));
}

function emptyManifest(fileName: string): QuantLensError {
  return new QuantLensError('dataset-empty', `${fileName}: the manifest lists no files.`, 'Add one line per file (CSV: a header line "file,label" first).');
}
