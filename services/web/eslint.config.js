// ESLint for @chanperf/web: the root's rules everywhere, and the page's browser modules
// (public/**/*.js, plain JS with JSDoc types) type-checked against tsconfig.public.json,
// which has the DOM library, instead of the root's Node-only project.
import tseslint from 'typescript-eslint';
import root from '../../eslint.config.js';

export default tseslint.config(
  ...root,
  {
    files: ['public/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      parserOptions: { project: ['./tsconfig.public.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // tsc (checkJs) reports undefined names, and knows the browser's globals.
      'no-undef': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
