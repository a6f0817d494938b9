/** Saves text as a file through the browser's download (nothing leaves the device). */
export function download(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe stem from user text. */
export function fileStem(text: string): string {
  return text.replace(/\.onnx$/i, '').replace(/[^\w.-]+/g, '_').slice(0, 60) || 'quantlens';
}
