import { inJobFile } from '../run/job-file.js'
import type { Io } from '../../io.js'
import type { FederateRound, RunEvent } from '@grid-node/core'

export interface FederatePrinterInit {
  /** Rounds in all, for `round 2/5`. */
  rounds: number
  /** The job file as the person named it: the holder's `job.js:3:14` is shown as `<file>:3:14`. */
  file: string
}

export interface FederatePrinter {
  /** Sees every job event of every round and passes it on. */
  event: (e: RunEvent) => RunEvent
  round: (r: FederateRound) => void
  model: (model: number[]) => void
}

/** Values of a model shown in a round's line; the whole model is printed at the end. */
const SHOWN_VALUES = 4

/**
 * For people: a line per round on stderr (`round 1/3: 3 holders, 392 rows, model [0.12, …]`)
 * and a line per holder whose job failed (it is left out of that round), then the final model
 * as JSON on stdout, so `> model.json` keeps only the model. With --json, NDJSON on stdout:
 * `{"type":"round",…}` per round, `{"type":"error",…}` per failed job, `{"type":"model","model":[…]}`.
 */
export function federatePrinter (io: Io, json: boolean, init: FederatePrinterInit): FederatePrinter {
  const who = (e: RunEvent): string => e.peerId === '' ? '' : `${e.peerId.slice(0, 8)}…${e.peerId.slice(-6)}${e.dataset != null ? ` ${e.dataset}` : ''}  `
  return {
    event: (e) => {
      if (e.type !== 'error') return e
      if (json) io.out(JSON.stringify(e))
      else io.err(`${who(e)}error (${[e.status, e.failure].filter(Boolean).join(', ')}), left out of this round: ${inJobFile(init.file, e.message)}`)
      return e
    },
    round: (r) => {
      if (json) {
        io.out(JSON.stringify({ type: 'round', ...r }))
        return
      }
      const shown = r.model.slice(0, SHOWN_VALUES).map(v => Number(v.toPrecision(6))).join(', ')
      io.err(`round ${r.round + 1}/${init.rounds}: ${r.contributors} holder${r.contributors === 1 ? '' : 's'}, ${r.n} rows, model [${shown}${r.model.length > SHOWN_VALUES ? ', …' : ''}]`)
    },
    model: (model) => {
      io.out(json ? JSON.stringify({ type: 'model', model }) : JSON.stringify(model))
    }
  }
}
