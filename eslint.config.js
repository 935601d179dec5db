// Lint rules that carry the dependency rules of shared/design/ARCHITECTURE.md.
import tseslint from 'typescript-eslint';

const langServer = ['vscode-languageserver', 'vscode-languageserver/*', 'vscode-languageclient', 'vscode-languageclient/*'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'schema/generated/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts'],
    ignores: ['engine/runtime/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'engine/ never imports vscode.' }, { name: 'dockerode', message: 'Only engine/runtime/ imports dockerode.' }],
        patterns: [
          { group: langServer, message: 'engine/ never imports language-server packages.' },
          { group: ['**/client/**', '**/server/**'], message: 'engine/ never imports client/ or server/.' },
        ],
      }],
    },
  },
  {
    files: ['engine/runtime/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'engine/ never imports vscode.' }],
        patterns: [
          { group: langServer, message: 'engine/ never imports language-server packages.' },
          { group: ['**/client/**', '**/server/**'], message: 'engine/ never imports client/ or server/.' },
        ],
      }],
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'server/ never imports vscode.' }, { name: 'dockerode', message: 'server/ never talks to Docker.' }],
        patterns: [{ group: ['**/engine/**', '**/client/**'], message: 'server/ never imports engine/ or client/.' }],
      }],
    },
  },
  {
    files: ['client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'dockerode', message: 'client/ reaches clusters only through the Kubernetes API.' }],
        patterns: [
          { group: ['**/engine/**'], message: 'client/ never imports engine/ code; it talks to the engine over the Kubernetes API.' },
          { group: ['**/server/**'], allowTypeImports: true, message: 'client/ imports server/ protocol types only (import type).' },
        ],
      }],
    },
  },
);
