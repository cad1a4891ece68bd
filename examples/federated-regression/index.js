import { runExample } from './regression.js'

const { federated, centralised, contributors, n } = await runExample()
const names = ['intercept', 'Weight_in_lbs', 'Horsepower']
console.log(`federated over ${contributors} holders (${n} rows, none of which left its holder) vs centralised least squares:`)
for (const [i, name] of names.entries()) {
  const rel = Math.abs(federated[i] - centralised[i]) / Math.abs(centralised[i])
  console.log(`  ${name.padEnd(14)} federated ${federated[i].toFixed(8).padStart(14)}   centralised ${centralised[i].toFixed(8).padStart(14)}   relative difference ${rel.toExponential(2)}`)
}
