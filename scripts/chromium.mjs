// The browser tests drive Debian's Chromium, never a downloaded one. `npm test` (and so CI) makes
// sure it is there as `npm start` makes sure of Node.js: installed through apt when this user can
// (root, or sudo without a password), otherwise one line naming the command, before anything runs.

export const CHROMIUM = '/usr/bin/chromium'

/**
 * What to do about Chromium: nothing, install it (with or without sudo), or stop and say how.
 * `probe` answers the questions, so this decision is testable without touching the machine.
 */
export function chromiumPlan (probe) {
  if (probe.exists(CHROMIUM)) return { action: 'ready' }
  if (!probe.hasAptGet()) return { action: 'stop', message: `the browser tests need Chromium at ${CHROMIUM}, and this machine has no apt-get: install Chromium from your system's packages (it must be at ${CHROMIUM}), then run npm test again` }
  if (probe.isRoot()) return { action: 'install', sudo: false }
  if (probe.canSudo()) return { action: 'install', sudo: true }
  return { action: 'stop', message: 'the browser tests need Debian\'s Chromium: run `sudo apt-get install -y chromium`, then npm test again' }
}

/** The commands that install it, as [file, args] pairs. */
export function installCommands (sudo) {
  const steps = [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', 'chromium']]
  return steps.map(step => sudo ? ['sudo', ['-n', ...step]] : [step[0], step.slice(1)])
}
