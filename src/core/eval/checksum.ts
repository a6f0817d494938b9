/** FNV-1a (32 bit) over the predictions, as 8 hex digits: a short fingerprint people can compare by eye. */
export function predictionsChecksum(predictions: Int32Array): string {
  let hash = 0x811c9dc5;
  const bytes = new Uint8Array(predictions.buffer, predictions.byteOffset, predictions.byteLength);
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}
