import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain JavaScript script of the repository, without type declarations
import { packagesPlan, installCommands, CHROMIUM } from '../../../scripts/test-packages.mjs'

const IPTABLES = '/usr/sbin/iptables'
const IP = '/usr/sbin/ip'

const probe = (facts: { present?: string[], apt?: boolean, root?: boolean, sudo?: boolean }): unknown => ({
  exists: (path: string) => (facts.present ?? []).includes(path),
  hasAptGet: () => facts.apt ?? true,
  isRoot: () => facts.root ?? false,
  canSudo: () => facts.sudo ?? false
})

describe('npm test and the Debian packages it needs (Chromium, iptables, iproute2)', () => {
  it('does nothing when all are there', () => {
    expect(packagesPlan(probe({ present: [CHROMIUM, IPTABLES, IP] }))).toEqual({ action: 'ready', missing: [] })
  })

  it('installs the missing ones through apt as root, or with sudo when sudo needs no password', () => {
    expect(packagesPlan(probe({ root: true, present: [CHROMIUM, IP] }))).toEqual({ action: 'install', sudo: false, missing: ['iptables'] })
    expect(packagesPlan(probe({ sudo: true }))).toEqual({ action: 'install', sudo: true, missing: ['chromium', 'iptables', 'iproute2'] })
    expect(installCommands(false, ['chromium'])).toEqual([['apt-get', ['update', '-qq']], ['apt-get', ['install', '-y', '-qq', 'chromium']]])
    expect(installCommands(true, ['iptables', 'iproute2'])).toEqual([['sudo', ['-n', 'apt-get', 'update', '-qq']], ['sudo', ['-n', 'apt-get', 'install', '-y', '-qq', 'iptables', 'iproute2']]])
  })

  it('otherwise stops at once with one line naming the command and what needs it', () => {
    expect(packagesPlan(probe({ present: [CHROMIUM, IP] }))).toEqual({ action: 'stop', missing: ['iptables'], message: expect.stringMatching(/iptables \(the testnet .*\): run `sudo apt-get install -y iptables`, then npm test again$/) })
    expect(packagesPlan(probe({ apt: false, root: true }))).toEqual({ action: 'stop', missing: ['chromium', 'iptables', 'iproute2'], message: expect.stringMatching(/no apt-get/) })
  })
})
