// The job every holder runs on its own rows (args.columns: [features, target]): never returns a
// row, only the 12 averaged sufficient statistics XᵀX/n and Xᵀy/n and the row count.
export default ({ data, args }) => {
  const [features, target] = args.columns
  const xtx = [0, 0, 0, 0, 0, 0, 0, 0, 0]
  const xty = [0, 0, 0]
  let n = 0
  for (const row of data) {
    const x = [1, ...features.map(f => row[f])]
    const y = row[target]
    if (x.some(v => typeof v !== 'number') || typeof y !== 'number') continue
    for (let i = 0; i < 3; i++) {
      xty[i] += x[i] * y
      for (let j = 0; j < 3; j++) xtx[i * 3 + j] += x[i] * x[j]
    }
    n++
  }
  return { update: [...xtx, ...xty].map(v => v / n), n }
}
