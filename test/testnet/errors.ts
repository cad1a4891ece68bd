// Errors by class, matched by `name` (set in the constructor: vitest's esbuild compiles a
// `static name` field as an assignment, which throws).
export class TestnetUnavailableError extends Error {
  constructor (missing: string) {
    super(`the testnet cannot be built: ${missing}. It creates network namespaces, veths and iptables rules, so it needs root (uid 0) with iproute2 (\`ip\`) and iptables installed`)
    this.name = 'TestnetUnavailableError'
  }
}

export class CommandFailedError extends Error {
  constructor (command: string, input: string, reason: string) {
    super(`\`${command}\` failed: ${reason}${input === '' ? '' : `\nits input was:\n${input}`}`)
    this.name = 'CommandFailedError'
  }
}

export class UnknownNameError extends Error {
  constructor (kind: 'host' | 'site', name: string, known: string[]) {
    super(`no ${kind} "${name}" in this testnet: it has ${known.join(', ')}`)
    this.name = 'UnknownNameError'
  }
}
