import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['**/dist/**', '**/node_modules/**', '.tools/**', 'packages/core/src/pb/*.ts']
  }),
  {
    // `void promise` marks a deliberate fire-and-forget whose errors are handled inside it
    rules: { 'no-void': ['error', { allowAsStatement: true }] }
  }
]
