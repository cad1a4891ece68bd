import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ErrorResponse, Status } from '../src/pb/grid.js'

const PB = resolve(import.meta.dirname, '../src/pb')
const PROTONS = resolve(import.meta.dirname, '../node_modules/protons/dist/bin/protons.js')

describe('wire definitions', () => {
  it('the committed protons output is what `pnpm generate` makes of each .proto', async () => {
    const protos = (await readdir(PB)).filter(f => f.endsWith('.proto'))
    expect(protos.length).toBeGreaterThan(0)
    const dir = await mkdtemp(join(tmpdir(), 'grid-pb-'))
    try {
      for (const proto of protos) {
        await copyFile(join(PB, proto), join(dir, proto))
        await promisify(execFile)(process.execPath, [PROTONS, join(dir, proto)])
        const ts = proto.replace(/\.proto$/, '.ts')
        expect(await readFile(join(PB, ts), 'utf8'), `${ts} is stale: run pnpm generate`).toBe(await readFile(join(dir, ts), 'utf8'))
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('an error response round-trips: a status and a message, nothing else', () => {
    const bytes = ErrorResponse.encode({ status: Status.BUSY, message: 'queue full' })
    expect(ErrorResponse.decode(bytes)).toEqual({ status: Status.BUSY, message: 'queue full' })
  })
})
