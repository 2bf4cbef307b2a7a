// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.bench/', 'coverage/', 'test/fixtures/', '.test-*/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: 'error',
      'no-console': ['error', { allow: ['error', 'log'] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // Layers (README, "Layout"): the Lambda runtime stands alone; the stack never reaches into the CLI.
    files: ['src/lambda/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/cli', '**/cli/**'], message: 'src/lambda runs inside Lambda: it may not import src/cli.' },
            { group: ['**/stack', '**/stack/**'], message: 'src/lambda runs inside Lambda: it may not import src/stack.' },
            { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'src/lambda runs inside Lambda: no CDK.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/stack/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/cli', '**/cli/**'], message: 'src/stack builds the CDK app: it may not import src/cli.' }] },
      ],
    },
  },
  {
    // Tests walk synthesized CloudFormation JSON, whose shape is the point of the assertion.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
