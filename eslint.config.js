import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

// Folder = runtime (STYLE.md): the pure core never reaches the browser, the runtime or storage;
// exactly one module imports onnxruntime-web and exactly one imports idb.
const outsideCore = ['onnxruntime-web', 'onnxruntime-web/*', 'idb', 'svelte', 'svelte/*', 'comlink'];

export default tseslint.config(
  { ignores: ['dist/', 'dist-cli/', 'node_modules/', 'src/core/onnx/gen/', 'public/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.svelte', 'src/**/*.svelte.ts'],
    rules: { 'no-console': ['error', { allow: ['warn', 'error'] }] },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.svelte.ts'],
    ignores: ['src/runtime/ort.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [], patterns: [{ group: ['onnxruntime-web', 'onnxruntime-web/*'], message: 'Only src/runtime/ort.ts imports onnxruntime-web.' }] }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: outsideCore, message: 'src/core is pure TypeScript (STYLE.md).' }] }],
      'no-restricted-globals': ['error', 'window', 'document', 'navigator', 'indexedDB', 'self', 'Worker', 'fetch'],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { projectService: true, extraFileExtensions: ['.svelte'], parser: tseslint.parser, svelteConfig } },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.svelte'],
    ignores: ['src/storage/db.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "ImportDeclaration[source.value='idb']", message: 'Only src/storage/db.ts imports idb.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/**', 'src/cli/**'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // The CLI runs in Node: it is type-checked with tsconfig.node.json (Node types), not the browser's.
    files: ['src/cli/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.node.json' } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
);
