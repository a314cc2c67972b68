// ESLint flat config: type-checked rules everywhere; the domain stays pure (no I/O, no clock).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A store's raw database handles, and the names a store goes by (`store`, `runtime.store`, `local`). */
const HANDLE = '/^(db|readDb)$/';
const STORE = '/(^local|[sS]tore)$/';
const RAW_SQLITE =
  'only packages/store-sqlite (and tests) may use SQLite directly: go through a port (packages/engine/src/storePorts.ts)';
const RAW_HANDLE =
  'no raw database handle outside packages/store-sqlite: adapters meet through ports (packages/engine/src/storePorts.ts), never through a shared handle';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.chanperf/**', 'infra/bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.eslint.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    ignores: ['packages/domain/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!zod$|fp-ts(/|$)|\\.{1,2}/)',
              message: 'packages/domain is pure: it may import only zod, fp-ts and its own modules.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'time comes from events, never from the clock',
        },
        {
          selector: "MemberExpression[object.name='Date'][property.name='now']",
          message: 'time comes from events, never from the clock',
        },
        {
          selector: "MemberExpression[object.name='performance'][property.name='now']",
          message: 'time comes from events, never from the clock',
        },
        {
          selector: "MemberExpression[object.name='Math'][property.name='random']",
          message: 'the domain is deterministic',
        },
      ],
    },
  },
  // Adapters meet through ports, never through a shared database handle (DESIGN.md "Ports",
  // packages/engine/src/storePorts.ts): outside store-sqlite and tests, no better-sqlite3 and
  // no raw handle of a store. packages/domain has its stricter rules above (imports only zod
  // and fp-ts); a block matching it too would replace them, so it is left out here.
  {
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'packages/store-sqlite/**', 'packages/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'better-sqlite3',
              message: RAW_SQLITE,
            },
            {
              name: '@chanperf/store-sqlite',
              importNames: ['sqliteConnections'],
              message: RAW_SQLITE,
            },
          ],
          patterns: [{ group: ['better-sqlite3/*'], message: RAW_SQLITE }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportExpression[source.value='better-sqlite3']", message: RAW_SQLITE },
        // `store.db`, `runtime.store.readDb`, `local.db`, `this.local.db`, `sqliteStore(c).db`,
        // `store['db']`: a store's raw handle.
        {
          selector: `MemberExpression:matches([computed=false][property.name=${HANDLE}], [property.value=${HANDLE}]):matches([object.name=${STORE}], [object.property.name=${STORE}], [object.callee.name=${STORE}])`,
          message: RAW_HANDLE,
        },
        // `const { db } = runtime.store`
        {
          selector: `VariableDeclarator:matches([init.name=${STORE}], [init.property.name=${STORE}]) > ObjectPattern > Property[key.name=${HANDLE}]`,
          message: RAW_HANDLE,
        },
      ],
    },
  },
  // Product code stays readable in one sitting: no module over 400 lines, no function over 80
  // (blank lines and comments not counted). Test code is exempt: specs, test code kept beside
  // a package (`src/testing/`, outside its build) and the contract suites of packages/testing
  // (describe/it blocks, run by the specs of every adapter). A declarative table (a zod schema
  // module) may opt out with a file-level `eslint-disable max-lines -- declarative table: …`
  // comment saying why. Only max-lines* here: a block that also set no-restricted-* would
  // replace the domain's and the adapters' rules above.
  {
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'packages/*/src/testing/**', 'packages/testing/src/contracts/**'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'vitest.config.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
);
