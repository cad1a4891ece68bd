// What the tests need from Debian's packages: Chromium for the browser tests (never a downloaded
// one), iptables and iproute2 for the testnet (sites behind NAT in network namespaces). `npm test`
// (and so CI) makes sure they are there as `npm start` makes sure of Node.js: installed through
// apt when this user can (root, or sudo without a password), otherwise one line naming the
// command, before anything runs.

export const CHROMIUM = '/usr/bin/chromium'

/** Each needed file, the package that brings it, and what needs it. */
export const TEST_PACKAGES = [
  { file: CHROMIUM, name: 'chromium', for: 'the browser tests' },
  { file: '/usr/sbin/iptables', name: 'iptables', for: 'the testnet (NAT between network namespaces)' },
  { file: '/usr/sbin/ip', name: 'iproute2', for: 'the testnet (network namespaces)' }
]

/**
 * What to do about the packages: nothing, install the missing ones (with or without sudo), or
 * stop and say how. `probe` answers the questions, so this decision is testable without
 * touching the machine.
 */
export function packagesPlan (probe) {
  const missing = TEST_PACKAGES.filter(p => !probe.exists(p.file))
  if (missing.length === 0) return { action: 'ready', missing: [] }
  const names = missing.map(p => p.name)
  const needs = missing.map(p => `${p.name} (${p.for})`).join(', ')
  if (!probe.hasAptGet()) return { action: 'stop', missing: names, message: `the tests need ${needs}, and this machine has no apt-get: install them from your system's packages (${missing.map(p => p.file).join(', ')}), then run npm test again` }
  if (probe.isRoot()) return { action: 'install', sudo: false, missing: names }
  if (probe.canSudo()) return { action: 'install', sudo: true, missing: names }
  return { action: 'stop', missing: names, message: `the tests need ${needs}: run \`sudo apt-get install -y ${names.join(' ')}\`, then npm test again` }
}

/** The commands that install `names`, as [file, args] pairs. */
export function installCommands (sudo, names) {
  const steps = [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', ...names]]
  return steps.map(step => sudo ? ['sudo', ['-n', ...step]] : [step[0], step.slice(1)])
}
