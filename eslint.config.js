import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/eslint-layers.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-cli',
      'node_modules',
      'public',
      'fixtures',
      'test-results',
      'playwright-report',
      '.bench',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Layers, lowest first: core < io < analysis, train < session < cli, workers < bridge < state < ui.
    // A wrong-way import fails the lint (scripts/eslint-layers.mjs; docs/architecture.md).
    files: ['src/**/*.{ts,tsx}', 'workers/**/*.ts'],
    plugins: { richscope: layersPlugin },
    rules: { 'richscope/layers': ['error', { root: import.meta.dirname }] },
  },
  {
    // The numerical core and the parsers run in workers, Node and tests: no UI, store or worker plumbing.
    files: ['src/core/**/*.ts', 'src/io/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['react', 'react-dom', 'zustand', 'plotly.js*', 'comlink'] },
      ],
    },
  },
  {
    // Below the UI nothing renders; one store: zustand is wrapped in src/state/store.ts only.
    files: ['src/{analysis,train,paint,session,cli,bridge,state}/**/*.ts', 'workers/**/*.ts'],
    ignores: ['src/state/store.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zustand', message: 'use src/state/store.ts' }],
          patterns: ['react', 'react-dom', 'plotly.js*'],
        },
      ],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}', 'src/*.tsx', 'e2e/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'zustand', message: 'use src/state/store.ts' }] }],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    // Node scripts; Playwright-driven ones also pass browser code to page.evaluate
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
