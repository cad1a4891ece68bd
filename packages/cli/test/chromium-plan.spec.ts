import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain JavaScript script of the repository, without type declarations
import { chromiumPlan, installCommands, CHROMIUM } from '../../../scripts/chromium.mjs'

const probe = (facts: { exists?: boolean, apt?: boolean, root?: boolean, sudo?: boolean }): unknown => ({
  exists: (path: string) => path === CHROMIUM && facts.exists === true,
  hasAptGet: () => facts.apt ?? true,
  isRoot: () => facts.root ?? false,
  canSudo: () => facts.sudo ?? false
})

describe('npm test and Chromium', () => {
  it('does nothing when Debian\'s chromium is there', () => {
    expect(chromiumPlan(probe({ exists: true }))).toEqual({ action: 'ready' })
  })

  it('installs it through apt as root, or with sudo when sudo needs no password', () => {
    expect(chromiumPlan(probe({ root: true }))).toEqual({ action: 'install', sudo: false })
    expect(chromiumPlan(probe({ sudo: true }))).toEqual({ action: 'install', sudo: true })
    expect(installCommands(false)).toEqual([['apt-get', ['update', '-qq']], ['apt-get', ['install', '-y', '-qq', 'chromium']]])
    expect(installCommands(true)).toEqual([['sudo', ['-n', 'apt-get', 'update', '-qq']], ['sudo', ['-n', 'apt-get', 'install', '-y', '-qq', 'chromium']]])
  })

  it('otherwise stops at once with one line naming the command', () => {
    expect(chromiumPlan(probe({}))).toEqual({ action: 'stop', message: expect.stringMatching(/run `sudo apt-get install -y chromium`, then npm test again$/) })
    expect(chromiumPlan(probe({ apt: false, root: true }))).toEqual({ action: 'stop', message: expect.stringMatching(/no apt-get/) })
  })
})
