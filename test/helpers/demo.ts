/** The bundled demo, read from public/demo as the app serves it. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readPack } from '../../src/core/data/pack.ts';
import type { DemoManifest } from '../../src/state/demo.ts';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const demoFile = (name: string) => `${PROJECT_ROOT}public/demo/${name}`;

export function loadDemo() {
  const manifest = JSON.parse(readFileSync(demoFile('demo.json'), 'utf8')) as DemoManifest;
  return {
    manifest,
    floatModel: new Uint8Array(readFileSync(demoFile(manifest.floatModel))),
    quantizedModel: new Uint8Array(readFileSync(demoFile(manifest.quantizedModel))),
    testSet: readPack(JSON.parse(readFileSync(demoFile(manifest.testSet), 'utf8'))),
  };
}

export const DEMO_FACTS_PATH = `${PROJECT_ROOT}test/golden/demo-eval.json`;
