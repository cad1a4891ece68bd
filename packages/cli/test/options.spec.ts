/**
 * Option parsing (src/options.ts): unknown flags point at their command's help, the GRID_NODE_*
 * twins for lists and booleans, help text for every command, the one whole-number reader, peer ID
 * lists, and the API address forms that --api and `start --api` take.
 */
import { describe, expect, it } from 'vitest'
import { apiUrl } from '../src/api/client.js'
import { id } from '../src/commands/id/index.js'
import { parseApiAddress } from '../src/commands/start/api-address.js'
import { start } from '../src/commands/start/index.js'
import { commands } from '../src/main.js'
import { envName, helpText, listValue, parseCommandArgs, peerIdList, stringValue, wholeNumberValue } from '../src/options.js'

const ID = '12D3KooWRKktW4vjpGeKNxGeSTDwNUs8s3xW5vcSrxC35tzmsb3Z'

function usageError (fn: () => unknown): Error {
  try {
    fn()
  } catch (err) {
    expect((err as Error).name).toBe('UsageError')
    return err as Error
  }
  throw new Error('expected a UsageError')
}

describe('parseCommandArgs errors', () => {
  it.each(commands.map(c => [c.name, c] as const))('%s: an unknown flag names the flag and `grid-node %s --help`', (name, command) => {
    const err = usageError(() => parseCommandArgs(command, ['--no-such-flag'], {}))
    expect(err.message).toContain('\'--no-such-flag\'')
    expect(err.message).toContain(`grid-node ${name} --help`)
  })

  it('rejects an unknown flag, naming it and where help is', () => {
    expect(() => parseCommandArgs(start, ['--bogus'], {})).toThrow(/unknown option '--bogus'; see `grid-node start --help`/)
    expect(() => parseCommandArgs(start, ['--data-dir'], {})).toThrow(/option '--data-dir' needs a value/)
  })

  it('names a short unknown flag, a flag missing its value and a boolean given one', () => {
    expect(usageError(() => parseCommandArgs(start, ['-x'], {})).message).toMatch(/^unknown option '-x'/)
    expect(usageError(() => parseCommandArgs(start, ['--listen'], {})).message).toMatch(/^option '--listen' needs a value/)
    expect(usageError(() => parseCommandArgs(start, ['--lan=yes'], {})).message).toMatch(/^option '--lan' takes no value/)
  })

  it('an unknown GRID_NODE_* variable is not an error, and GRID_NODE_HELP does not ask for help', () => {
    const { values } = parseCommandArgs(start, [], { GRID_NODE_BOGUS: 'x', GRID_NODE_HELP: 'true' })
    expect(values).toEqual({})
  })
})

describe('the GRID_NODE_* twins', () => {
  it('split a comma-separated list, dropping blanks and spaces', () => {
    const { values } = parseCommandArgs(start, [], { GRID_NODE_BOOTSTRAP: ' /ip4/1.2.3.4/tcp/1 ,, /ip4/5.6.7.8/tcp/2,', GRID_NODE_LISTEN: '/ip4/127.0.0.1/tcp/0' })
    expect(listValue(values, 'bootstrap')).toEqual(['/ip4/1.2.3.4/tcp/1', '/ip4/5.6.7.8/tcp/2'])
    expect(listValue(values, 'listen')).toEqual(['/ip4/127.0.0.1/tcp/0'])
  })

  it('fill unset flags and let flags win', () => {
    const env = { GRID_NODE_DATA_DIR: '/env/dir', GRID_NODE_BOOTSTRAP: '/ip4/1.2.3.4/tcp/1, /ip4/5.6.7.8/tcp/2', GRID_NODE_LAN: 'true' }
    const fromEnv = parseCommandArgs(start, [], env).values
    expect(stringValue(fromEnv, 'data-dir')).toBe('/env/dir')
    expect(listValue(fromEnv, 'bootstrap')).toEqual(['/ip4/1.2.3.4/tcp/1', '/ip4/5.6.7.8/tcp/2'])
    expect(fromEnv.lan).toBe(true)
    const flagged = parseCommandArgs(start, ['--data-dir', '/flag/dir', '--bootstrap', '/ip4/9.9.9.9/tcp/3'], env).values
    expect(stringValue(flagged, 'data-dir')).toBe('/flag/dir')
    expect(listValue(flagged, 'bootstrap')).toEqual(['/ip4/9.9.9.9/tcp/3'])
  })

  it('fill only flags that were not given, whole lists included', () => {
    const env = { GRID_NODE_DATA_DIR: '/env/dir', GRID_NODE_BOOTSTRAP: '/ip4/1.2.3.4/tcp/1,/ip4/5.6.7.8/tcp/2', GRID_NODE_NETWORK: 'envnet' }
    const { values } = parseCommandArgs(start, ['--bootstrap', '/ip4/9.9.9.9/tcp/9', '--network', 'flagnet'], env)
    expect(listValue(values, 'bootstrap')).toEqual(['/ip4/9.9.9.9/tcp/9']) // not merged with the env list
    expect(stringValue(values, 'network')).toBe('flagnet')
    expect(stringValue(values, 'data-dir')).toBe('/env/dir')
  })

  it('ignore an empty variable', () => {
    expect(parseCommandArgs(start, [], { GRID_NODE_DATA_DIR: '', GRID_NODE_BOOTSTRAP: '' }).values).toEqual({})
  })

  it.each([['1', true], ['true', true], ['TRUE', true], ['yes', true], ['0', false], ['false', false], ['no', false], ['on', false]])('read GRID_NODE_LAN=%s as %s', (text, expected) => {
    expect(parseCommandArgs(start, [], { GRID_NODE_LAN: text }).values.lan).toBe(expected)
  })

  it('a boolean flag wins over its variable', () => {
    expect(parseCommandArgs(start, ['--lan'], { GRID_NODE_LAN: 'false' }).values.lan).toBe(true)
  })

  it('belong to the command: GRID_NODE_LISTEN means nothing to id', () => {
    expect(parseCommandArgs(id, [], { GRID_NODE_LISTEN: '/ip4/127.0.0.1/tcp/0', GRID_NODE_DATA_DIR: '/d' }).values).toEqual({ 'data-dir': '/d' })
  })

  it.each([['data-dir', 'GRID_NODE_DATA_DIR'], ['bootstrap', 'GRID_NODE_BOOTSTRAP'], ['liveness-interval', 'GRID_NODE_LIVENESS_INTERVAL'], ['allow-compute', 'GRID_NODE_ALLOW_COMPUTE']])('envName(%s) is %s', (option, name) => {
    expect(envName(option)).toBe(name)
  })
})

describe('helpText', () => {
  it.each(commands.map(c => [c.name, c] as const))('%s: lists every option with its env name, and --help without one', (name, command) => {
    const text = helpText(command)
    expect(text).toMatch(new RegExp(`^Usage: grid-node ${name}`))
    const lines = text.split('\n')
    for (const option of Object.keys(command.options)) {
      const line = lines.find(l => l.trimStart().startsWith(`--${option} `) || l.trim() === `--${option}`)
      expect(line, `--${option} in the help of ${name}`).toBeDefined()
      expect(line).toContain(`env: ${envName(option)}`)
    }
    const help = lines.find(l => l.trimStart().startsWith('--help'))
    expect(help).toBeDefined()
    expect(help).not.toContain('env:')
  })

  it('start: repeatable lists, placeholders and defaults', () => {
    const lines = helpText(start).split('\n')
    const line = (flag: string): string => lines.find(l => l.trimStart().startsWith(`--${flag} `)) ?? ''
    expect(line('bootstrap')).toMatch(/--bootstrap <multiaddr>.*repeatable.*env: GRID_NODE_BOOTSTRAP/)
    expect(line('listen')).toMatch(/--listen <multiaddr>.*repeatable; default: \/ip4\/0\.0\.0\.0\/tcp\/7400/)
    expect(line('network')).toMatch(/--network <name>.*default: main/)
    expect(line('lan')).not.toContain('<')
    expect(helpText(start)).toContain('default: ~/.grid-node')
  })
})

describe('wholeNumberValue: the one reader of every whole-number flag', () => {
  it.each([
    ['7', 1, 7],
    ['0', 0, 0],
    ['1073741824', 1, 1073741824]
  ])('%s (at least %i) is %i', (text, min, n) => {
    expect(wholeNumberValue({ n: text }, 'n', min as 0 | 1)).toBe(n)
  })

  it('is undefined when the flag is not given', () => {
    expect(wholeNumberValue({}, 'timeout')).toBeUndefined()
  })

  it.each([
    ['0', 1, '--n must be a whole number above 0, not "0"'],
    ['-1', 0, '--n must be a whole number, not "-1"'],
    ['1.5', 1, '--n must be a whole number above 0, not "1.5"'],
    ['1e3', 1, '--n must be a whole number above 0, not "1e3"'],
    ['many', 0, '--n must be a whole number, not "many"'],
    ['99999999999999999999', 1, '--n must be a whole number above 0, not "99999999999999999999"']
  ])('refuses %s (at least %i): %s', (text, min, message) => {
    expect(() => wholeNumberValue({ n: text }, 'n', min as 0 | 1)).toThrow(expect.objectContaining({ name: 'UsageError', message }))
  })
})

describe('peerIdList', () => {
  it('keeps good peer IDs and names the first bad one', () => {
    expect(peerIdList({ 'allow-compute': [ID] }, 'allow-compute')).toEqual([ID])
    expect(peerIdList({}, 'allow-compute')).toEqual([])
    expect(usageError(() => peerIdList({ 'allow-compute': [ID, 'bob'] }, 'allow-compute')).message).toContain('--allow-compute "bob" is not a peer ID')
  })
})

describe('apiUrl', () => {
  it.each([
    [':7402', 'http://127.0.0.1:7402'],
    [' :7402 ', 'http://127.0.0.1:7402'],
    ['127.0.0.1:0', 'http://127.0.0.1:0'],
    ['[::1]:7402', 'http://[::1]:7402'],
    ['localhost:8080', 'http://localhost:8080'],
    ['http://x:1', 'http://x:1'],
    ['http://x:1/', 'http://x:1'],
    ['http://example.test:9', 'http://example.test:9'],
    ['https://grid.example:8443', 'https://grid.example:8443'],
    ['host:80', 'http://host:80'],
    ['https://x:443', 'https://x:443'],
    ['HTTP://x:1', 'http://x:1']
  ])('%j → %s', (input, url) => {
    expect(apiUrl(input)).toBe(url)
  })

  it.each(['nonsense', 'localhost', '127.0.0.1', 'http://x', 'x:', 'host:', ':', '', 'http://x:1/v1', 'http://x:1/path', 'x:notaport', 'user@x:1', 'http://u:p@x:1', 'x:1?q'])('rejects %j, naming it, with a UsageError', (input) => {
    const err = usageError(() => apiUrl(input))
    expect(err.message).toContain(`invalid --api "${input}"`)
    expect(err.message).toContain('use host:port')
  })
})

describe('parseApiAddress (start --api)', () => {
  it.each([
    ['127.0.0.1:7402', { host: '127.0.0.1', port: 7402, loopback: true }],
    [':0', { host: '127.0.0.1', port: 0, loopback: true }],
    ['localhost:1', { host: 'localhost', port: 1, loopback: true }],
    ['[::1]:7402', { host: '::1', port: 7402, loopback: true }],
    ['0.0.0.0:7402', { host: '0.0.0.0', port: 7402, loopback: false }],
    ['192.168.1.5:7402', { host: '192.168.1.5', port: 7402, loopback: false }]
  ])('%s → %j (only a non-loopback API gets a token)', (input, address) => {
    expect(parseApiAddress(input)).toEqual(address)
  })
})
