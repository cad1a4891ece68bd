import { describe, expect, it } from 'vitest'
import { apiUrl } from '../src/api/client.js'
import { start } from '../src/commands/start/index.js'
import { envName, helpText, listValue, parseCommandArgs, stringValue, wholeNumberValue } from '../src/options.js'

describe('parseCommandArgs', () => {
  it('rejects an unknown flag, naming it and where help is', () => {
    expect(() => parseCommandArgs(start, ['--bogus'], {})).toThrow(/unknown option '--bogus'; see `grid-node start --help`/)
    expect(() => parseCommandArgs(start, ['--data-dir'], {})).toThrow(/option '--data-dir' needs a value/)
  })

  it('fills unset flags from GRID_NODE_* and lets flags win', () => {
    const env = { GRID_NODE_DATA_DIR: '/env/dir', GRID_NODE_BOOTSTRAP: '/ip4/1.2.3.4/tcp/1, /ip4/5.6.7.8/tcp/2', GRID_NODE_LAN: 'true' }
    const fromEnv = parseCommandArgs(start, [], env).values
    expect(stringValue(fromEnv, 'data-dir')).toBe('/env/dir')
    expect(listValue(fromEnv, 'bootstrap')).toEqual(['/ip4/1.2.3.4/tcp/1', '/ip4/5.6.7.8/tcp/2'])
    expect(fromEnv.lan).toBe(true)
    const flagged = parseCommandArgs(start, ['--data-dir', '/flag/dir', '--bootstrap', '/ip4/9.9.9.9/tcp/3'], env).values
    expect(stringValue(flagged, 'data-dir')).toBe('/flag/dir')
    expect(listValue(flagged, 'bootstrap')).toEqual(['/ip4/9.9.9.9/tcp/3'])
  })

  it('help lists every option with its default and environment twin', () => {
    const text = helpText(start)
    for (const name of Object.keys(start.options)) {
      expect(text).toContain(`--${name}`)
      expect(text).toContain(`env: ${envName(name)}`)
    }
    expect(text).toContain('default: ~/.grid-node')
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

describe('apiUrl', () => {
  it.each([
    [':7402', 'http://127.0.0.1:7402'],
    ['127.0.0.1:0', 'http://127.0.0.1:0'],
    ['http://example.test:9', 'http://example.test:9'],
    ['[::1]:7402', 'http://[::1]:7402']
  ])('%s → %s', (input, url) => {
    expect(apiUrl(input)).toBe(url)
  })

  it.each(['nonsense', 'host:', 'http://x:1/path'])('rejects %s with a usage error', (input) => {
    expect(() => apiUrl(input)).toThrow(expect.objectContaining({ name: 'UsageError', message: expect.stringContaining('use host:port') }))
  })
})
