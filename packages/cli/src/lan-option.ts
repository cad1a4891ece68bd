import { UsageError } from './errors.js'
import { flag, listValue } from './options.js'
import type { OptionSpec, Values } from './options.js'
import type { LanSetting } from '@grid-node/core'

/**
 * `--lan` and `--public-only`: overrides of the address policy, which by default keeps private
 * and loopback addresses on one host or one LAN and strips them once the grid is public;
 * `--public-ranges`: which private ranges count as public (an organisation's WAN).
 */
export const LAN_OPTIONS: Record<string, OptionSpec> = {
  lan: { type: 'boolean', description: 'always share private and loopback addresses through the DHT (default: only while every address seen is private)' },
  'public-only': { type: 'boolean', description: 'never share private and loopback addresses through the DHT, even on one host or LAN' },
  'public-ranges': { type: 'string', multiple: true, description: 'IP ranges that count as the grid\'s public side besides the internet, e.g. an organisation WAN 10.0.0.0/8 (comma-separated)', placeholder: 'cidr' }
}

/** --public-ranges, given once with commas or several times; undefined when not given. */
export function publicRanges (values: Values): string[] | undefined {
  const ranges = listValue(values, 'public-ranges').flatMap(v => v.split(/[\s,]+/)).filter(v => v !== '')
  return ranges.length > 0 ? ranges : undefined
}

export function lanSetting (values: Values): LanSetting {
  const lan = flag(values, 'lan')
  const publicOnly = flag(values, 'public-only')
  if (lan && publicOnly) throw new UsageError('give --lan or --public-only, not both (neither: decided from the addresses this node sees)')
  return lan ? true : publicOnly ? false : 'auto'
}
