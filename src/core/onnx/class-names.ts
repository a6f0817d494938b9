/**
 * Class names a model carries in its ONNX metadata_props, read without parsing the graph: only the
 * top-level fields of the ModelProto are walked (the graph, weights included, is skipped by its
 * length), so even a large model gives its names after a few small reads, on the main thread.
 *
 * Keys tried, in order: 'names' (ultralytics: a Python dict literal "{0: 'person', 1: 'bicycle'}"),
 * 'labels', 'classes', 'class_names'. Values read: a JSON array, a JSON object or Python dict keyed by
 * output index, a Python list literal, or names one per line or separated by commas.
 */
const METADATA_PROPS_FIELD = 14;
export const CLASS_NAME_KEYS: readonly string[] = ['names', 'labels', 'classes', 'class_names'];

/** Reads `length` bytes at `offset` (a Blob slice in the browser, a subarray in tests). */
export type ByteReader = (offset: number, length: number) => Promise<Uint8Array>;

/** A ByteReader over bytes already in memory. */
export function bytesReader(bytes: Uint8Array): ByteReader {
  return (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length));
}

/**
 * The model's metadata_props as key → value, read field header by field header (a few dozen bytes
 * each) so that the weights are never read. Empty when there are none; a malformed model ends the
 * walk early (what was read is kept: the model itself is checked elsewhere).
 */
export async function readMetadataProps(read: ByteReader, size: number): Promise<Record<string, string>> {
  const props: Record<string, string> = {};
  let offset = 0;
  while (offset < size) {
    const header = await read(offset, Math.min(HEADER_BYTES, size - offset));
    const field = fieldAt(header, 0, header.length);
    if (!field) break;
    const end = offset + field.end;
    if (end > size) break;
    if (field.number === METADATA_PROPS_FIELD && field.wireType === 2) {
      const entry = readEntry(await read(offset + field.start, field.end - field.start));
      if (entry) props[entry.key] = entry.value;
    }
    offset = end;
  }
  return props;
}

// A tag (at most 5 bytes) and a varint or length (at most 10).
const HEADER_BYTES = 15;

/** A StringStringEntryProto: key (1) and value (2). */
function readEntry(bytes: Uint8Array): { key: string; value: string } | null {
  let key = '';
  let value = '';
  for (let offset = 0; offset < bytes.length;) {
    const field = fieldAt(bytes, offset, bytes.length);
    if (!field || field.end > bytes.length) return null;
    if (field.wireType === 2 && (field.number === 1 || field.number === 2)) {
      const text = new TextDecoder().decode(bytes.subarray(field.start, field.end));
      if (field.number === 1) key = text;
      else value = text;
    }
    offset = field.end;
  }
  return key ? { key, value } : null;
}

/** Class names in output order from the first metadata key that holds a readable list; null when none does. */
export function classNamesFromMetadata(props: Record<string, string>): { key: string; names: string[] } | null {
  for (const key of CLASS_NAME_KEYS) {
    const value = props[key];
    if (value === undefined) continue;
    const names = parseNameList(value);
    if (names && names.length > 0) return { key, names };
  }
  return null;
}

/** A list of names in one of the accepted notations; null when the text is none of them. */
export function parseNameList(text: string): string[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const json = tryJson(trimmed);
  if (Array.isArray(json)) return json.map(String);
  if (json && typeof json === 'object') return byIndex(Object.entries(json as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  if (trimmed.startsWith('{')) {
    const entries = [...trimmed.matchAll(/['"]?(\d+)['"]?\s*:\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/g)].map((m) => [m[1], unquote(m[2])] as [string, string]);
    return entries.length ? byIndex(entries) : null;
  }
  if (trimmed.startsWith('[')) {
    const items = [...trimmed.matchAll(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g)].map((m) => unquote(m[0]));
    return items.length ? items : null;
  }
  const parts = trimmed.includes('\n') ? trimmed.split(/\r?\n/) : trimmed.split(',');
  return parts.map((part) => part.trim());
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Index-keyed entries as a dense list; a missing index is named "#<index>". Null when a key is not an index. */
function byIndex(entries: [string, string][]): string[] | null {
  if (!entries.every(([k]) => /^\d+$/.test(k))) return null;
  const names: string[] = [];
  for (const [k, v] of entries) names[Number(k)] = v;
  return Array.from(names, (name, i) => name ?? `#${i}`);
}

function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

interface Field {
  number: number;
  wireType: number;
  /** Payload bounds for length-delimited fields; for others start = end = where the field ends. */
  start: number;
  end: number;
}

/** The protobuf field at `offset` (its payload is not read); null when the bytes end first or make no sense. */
function fieldAt(bytes: Uint8Array, offset: number, to: number): Field | null {
  const tag = varint(bytes, offset, to);
  if (!tag) return null;
  const wireType = tag.value % 8;
  const number = Math.floor(tag.value / 8);
  if (wireType === 0) {
    const value = varint(bytes, tag.next, to);
    return value && { number, wireType, start: value.next, end: value.next };
  }
  if (wireType === 1 || wireType === 5) {
    const end = tag.next + (wireType === 1 ? 8 : 4);
    return { number, wireType, start: end, end };
  }
  if (wireType !== 2) return null;
  const length = varint(bytes, tag.next, to);
  return length && { number, wireType, start: length.next, end: length.next + length.value };
}

function varint(bytes: Uint8Array, offset: number, to: number): { value: number; next: number } | null {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < to && i < offset + 10; i++) {
    value += (bytes[i] & 0x7f) * scale;
    scale *= 128;
    if (bytes[i] < 0x80) return { value, next: i + 1 };
  }
  return null;
}
