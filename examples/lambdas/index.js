import { runLambdas } from './lambdas.js'

for (const { n, value, ranOn } of await runLambdas()) {
  console.log(`fibonacci(${String(n).padStart(2)}) = ${String(value).padStart(4)}   ran on ${ranOn}`)
}
