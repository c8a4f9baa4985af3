import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

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
    // The numerical core and the parsers run in workers, Node and tests: no UI, state or worker plumbing.
    files: ['src/core/**/*.ts', 'src/io/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['react', 'react-dom', 'zustand', 'plotly.js*', 'comlink', '**/ui/**', '**/state/**'] },
      ],
    },
  },
  {
    // One store: zustand is wrapped in src/state/store.ts and imported from there only.
    files: ['**/*.{ts,tsx}'],
    ignores: ['src/state/store.ts', 'src/core/**', 'src/io/**'],
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
