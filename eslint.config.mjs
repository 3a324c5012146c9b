// ESLint flat config. Zero warnings allowed (`npm run lint` passes --max-warnings=0).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'coverage/', 'data/', 'static/*/build/', 'bench/peers-out/', '.tmp/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{js,cjs,mjs}'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The pure core: no platform, no adapters, no UI, no wall clock (STYLE.md item 2).
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@forge/*'], message: 'src/domain is pure: no Forge imports.' },
            { group: ['react', 'react-dom', 'react/*'], message: 'src/domain is pure: no UI.' },
            {
              group: [
                '**/adapters/**',
                '**/app/**',
                '**/server/**',
                '**/forge/**',
                '**/cli/**',
                '**/static/**',
              ],
              message: 'src/domain may not import outer layers.',
            },
            { group: ['fs', 'node:*', 'http', 'https', 'child_process'], message: 'src/domain does no I/O.' },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'No wall clock in src/domain: take `now` as a parameter.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'No wall clock in src/domain: take `now` as a parameter.',
        },
        {
          selector: "CallExpression[callee.object.name='DateTime'][callee.property.name=/^(now|local)$/]",
          message: 'No wall clock or process zone in src/domain.',
        },
        {
          selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']",
          message: 'No wall clock in src/domain.',
        },
      ],
    },
  },
);
