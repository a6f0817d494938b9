/**
 * A static server for the limit page: the bench page and worker (tools/bench/page), ORT's dist
 * files (node_modules/onnxruntime-web/dist) and the models (public/demo, bench-results/models),
 * with the app's COOP/COEP headers.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.onnx': 'application/octet-stream', '.json': 'application/json' };

export async function startBenchServer(root: string): Promise<{ url: string; stop(): void }> {
  const mounts: [string, string][] = [
    ['/bench/', join(root, 'tools/bench/page/')],
    ['/ort/', join(root, 'node_modules/onnxruntime-web/dist/')],
    ['/demo/', join(root, 'public/demo/')],
    ['/models/', join(root, 'bench-results/models/')],
  ];
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
    const mount = mounts.find(([prefix]) => path.startsWith(prefix));
    if (!mount) return void response.writeHead(404).end();
    const file = normalize(join(mount[1], path.slice(mount[0].length) || 'index.html'));
    if (!file.startsWith(mount[1])) return void response.writeHead(403).end();
    readFile(file).then(
      (body) => {
        response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cache-Control': 'no-cache' });
        response.end(body);
      },
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('bench server has no port');
  return { url: `http://127.0.0.1:${address.port}/`, stop: () => (server.closeAllConnections(), server.close()) };
}
