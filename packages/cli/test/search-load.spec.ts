import { describe, expect, it } from 'vitest'
import { searchAnswer } from '../src/api/shapes.js'
import { resultPrinter } from '../src/commands/search/output.js'
import { capture } from './helpers/capture-io.js'
import type { SearchResult } from '@grid-node/core'

const PEER = '12D3KooWNnfcsPArbLiWzhdHZAZvKRujKT3w2WWhHEnBnAF4CHCz'
const worker = (load?: SearchResult['load']): SearchResult => ({ peerId: { toString: () => PEER }, addrs: [], rttMs: 3, datasets: [], capabilities: ['#compute:js'], ...(load != null ? { load } : {}) }) as unknown as SearchResult

describe('search: a worker\'s load, as it says', () => {
  it('--json carries load; the table shows busy / pool, or (worker) for an older node', () => {
    expect(searchAnswer(worker({ poolSize: 4, running: 2, waiting: 1 }))).toMatchObject({ capabilities: ['#compute:js'], load: { poolSize: 4, running: 2, waiting: 1 } })
    expect(searchAnswer(worker())).not.toHaveProperty('load')
    const io = capture()
    const printer = resultPrinter(io, false)
    printer.row(searchAnswer(worker({ poolSize: 4, running: 2, waiting: 1 })))
    printer.row(searchAnswer(worker()))
    const lines = io.stdout.trim().split('\n')
    expect(lines[1]).toMatch(/3 ms\s+\(worker, 3\/4 busy\)\s+-\s+#compute:js$/)
    expect(lines[2]).toMatch(/3 ms\s+\(worker\)\s+-\s+#compute:js$/)
  })
})
