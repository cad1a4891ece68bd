/**
 * The README's "Quick start", "Join a second node" (the same-machine form) and "Share a dataset
 * and find it", run as written: every command is read from README.md's ```sh blocks, so the two
 * cannot drift. What a person substitutes is substituted — the peer ID they copy from the first
 * node (`12D3KooW…`) — and `~` is a fresh home; `npm start -- …` and `npx grid-node …` run the
 * CLI as they do once `npm start` has set the repository up (test/helpers/shell-host.ts). The
 * machine is a network namespace of its own where Linux allows it, with `192.168.1.20` (the
 * README's example) as its LAN address, so the README's fixed ports collide with nothing.
 *
 * Neither node is given --lan: on one host the address policy keeps loopback and private
 * addresses by itself, so each node takes the other into its routing table and finds its data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { removeDir, tempDir } from './helpers/cli.js'
import { shBlocks } from './helpers/readme.js'
import { ShellHost } from './helpers/shell-host.js'
import type { ShellResult } from './helpers/shell-host.js'

const PLACEHOLDER = '12D3KooW…'
const LAN_ADDRESS = '192.168.1.20'

describe('the README, followed word for word on one machine', () => {
  let home: string
  let host: ShellHost

  beforeAll(async () => {
    home = await tempDir('grid-readme-')
    host = await ShellHost.create(home, LAN_ADDRESS, [7400, 7401, 7402])
  })

  afterAll(async () => {
    await host?.close()
    await removeDir(home)
  })

  it('Quick start, Join a second node (same machine), Share a dataset and find it: each node finds the other\'s dataset', async () => {
    const quickStart = shBlocks('Quick start').flat().filter(line => line.startsWith('npm start'))
    expect(quickStart, 'Quick start runs a node with npm start').toHaveLength(1)
    const join = shBlocks('Join a second node')
    const otherMachine = join.flat().find(line => !line.includes('127.0.0.1'))
    const sameMachine = join.flat().filter(line => line.includes('127.0.0.1'))
    expect(sameMachine, 'one same-machine command in "Join a second node"').toHaveLength(1)
    const share = shBlocks('Share a dataset and find it').flat()
    expect(share.length).toBeGreaterThanOrEqual(4)

    // node A, as Quick start says
    const a = host.spawn(quickStart[0]!)
    await a.waitFor(/^Ready /m)
    const aId = /^Peer ID\s+(\S+)/m.exec(a.stdout)![1]!
    // the address a person copies for this machine is the one the README shows, peer ID filled in
    const sameMachineAddr = /\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/\S+/.exec(sameMachine[0]!)![0]
    expect(a.stdout).toMatch(new RegExp(`^Bootstrap +${escape(sameMachineAddr.replace(PLACEHOLDER, aId))} +\\(from this machine\\)$`, 'm'))
    if (host.isolated) {
      // and the one for another machine too: the README's example address is this machine's LAN address
      const otherAddr = /\/ip4\/\S+/.exec(otherMachine!)![0]
      expect(a.stdout).toMatch(new RegExp(`^Bootstrap +${escape(otherAddr.replace(PLACEHOLDER, aId))} +\\(from other machines\\)$`, 'm'))
    }
    expect(a.stdout).toMatch(/^DHT +shares private and loopback addresses: /m)

    // node B, as "Join a second node" says for the same machine
    const b = host.spawn(sameMachine[0]!.replaceAll(PLACEHOLDER, aId))
    await b.waitFor(/^Ready +1 peer connected, routing table 1$/m)
    const bId = /^Peer ID\s+(\S+)/m.exec(b.stdout)![1]!

    // A took B into its routing table as well (it used to show Peers 1, Routing table 0)
    const status = await host.run('npx grid-node status --json')
    expect(status.code, status.stderr).toBe(0)
    expect(JSON.parse(status.stdout)).toMatchObject({ peerId: aId, peers: 1, routingTableSize: 1, addressPolicy: { mode: 'lan' }, addressWarning: null })

    // "Share a dataset and find it", every line
    const results: Array<ShellResult & { line: string }> = []
    for (const line of share) {
      const result = await host.run(line)
      expect(result.code, `${line}\n${result.stdout}\n${result.stderr}`).toBe(0)
      results.push({ line, ...result })
    }
    const searchFor = (tag: string): string => results.find(r => r.line.includes(`search '${tag}'`))!.stdout
    // B finds A's dataset, and A finds B's
    expect(searchFor('#cars')).toMatch(new RegExp(`^${aId} .* cars .*#cars`, 'm'))
    expect(searchFor('#penguins')).toMatch(new RegExp(`^${bId} .* penguins .*#penguins`, 'm'))

    // and nothing warned along the way
    expect(a.stderr + b.stderr).not.toMatch(/warning:/)
  })
})

function escape (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
