// ESLint (`npm run lint`, part of `npm run build`): typescript-eslint's recommended rules and
// React's hook rules (the rules of hooks, complete effect dependencies, and the React Compiler's
// checks: no ref access or impure calls during render, no state set synchronously in an effect)
// on src/; ESLint's recommended rules on the Node scripts.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['dist']),
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended, reactHooks.configs.flat['recommended-latest']],
    languageOptions: { globals: globals.browser },
    rules: { 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    // The end-to-end run is Node, but the functions it hands to page.evaluate and
    // waitForFunction run in the browser.
    files: ['e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
]);
