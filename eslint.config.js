// Lint the TypeScript sources with the type-aware recommended rules, and keep
// the functional core pure: nothing under lambdas/core may reach for I/O,
// the AWS SDK, Lambda middleware, CDK, the environment or the clock.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const impure = [
  { group: ['node:fs', 'fs', 'node:fs/*', 'fs/*', 'node:child_process', 'node:net', 'node:http', 'node:https', 'node:worker_threads', 'node:zlib'], message: 'lambdas/core is pure: do I/O in lib/ or lambdas/adapters.' },
  { group: ['@aws-sdk/*', '@middy/*', '@aws-lambda-powertools/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'lambdas/core is pure: no AWS SDK, middleware or CDK.' },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'no-console': 'off',
    },
  },
  {
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: impure }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'lambdas/core reads no environment: pass values in.' }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'lambdas/core reads no clock: pass time in.' }],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'lambdas/core is deterministic.' },
        { object: 'Date', property: 'now', message: 'lambdas/core reads no clock.' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
