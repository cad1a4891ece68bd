// --engine of `start` and `run` (src/engine-option.ts): the three choices, anything else a usage error naming them.
import { describe, expect, it } from 'vitest'
import { runJob } from '../src/commands/run/index.js'
import { start } from '../src/commands/start/index.js'
import { engineValue } from '../src/engine-option.js'
import { parseCommandArgs } from '../src/options.js'

describe('--engine', () => {
  it('takes auto, quickjs or v8 on start and run, from the flag or GRID_NODE_ENGINE; nothing given is undefined', () => {
    for (const command of [start, runJob]) {
      for (const engine of ['auto', 'quickjs', 'v8']) expect(engineValue(parseCommandArgs(command, ['--engine', engine], {}).values)).toBe(engine)
      expect(engineValue(parseCommandArgs(command, [], { GRID_NODE_ENGINE: 'quickjs' }).values)).toBe('quickjs')
      expect(engineValue(parseCommandArgs(command, [], {}).values)).toBeUndefined()
    }
  })

  it('anything else is a usage error naming the choices', () => {
    expect(() => engineValue(parseCommandArgs(runJob, ['--engine', 'spidermonkey'], {}).values)).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringMatching(/--engine must be auto, quickjs, v8 .*not spidermonkey/) }))
  })
})
