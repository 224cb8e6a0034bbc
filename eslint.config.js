// ESLint 9 flat config: @eslint/js and typescript-eslint's recommended rules, without type information
// (type-aware rules would make `npm test` much slower; `tsc --noEmit` already checks the types).
// Formatting is not linted: no formatter has been run over the code base, and none is imposed here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'coverage/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
    rules: {
      // `_name` marks a value left out on purpose (e.g. `const { total: _t, ...rest } = payload`)
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // the simulator's chat page: plain browser scripts served as they are
    files: ['src/simulator/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // tests read loosely typed JSON bodies (`as Record<string, any>`); typing each would be a rewrite for no safety gained
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
