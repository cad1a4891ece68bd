import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const EXAMPLES = resolve(import.meta.dirname, '../examples')

describe('examples', () => {
  it('embedded-pair: the second node joins the first and each finds the other in the DHT', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['index.js'], { cwd: resolve(EXAMPLES, 'embedded-pair'), timeout: 60_000 })
    const a = /^a (\S+)$/m.exec(stdout)?.[1]
    const b = /^b (\S+) joined/m.exec(stdout)?.[1]
    expect(a).toMatch(/^12D3KooW/)
    expect(stdout).toContain(`b is connected to ${a}`)
    expect(stdout).toMatch(new RegExp(`lookup for b found: .*${b}`))
  })
})
