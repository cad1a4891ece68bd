import { UsageError } from './errors.js'
import { flag } from './options.js'
import type { OptionSpec, Values } from './options.js'
import type { LanSetting } from '@grid-node/core'

/**
 * `--lan` and `--public-only`: overrides of the address policy, which by default keeps private
 * and loopback addresses on one host or one LAN and strips them once the grid is public.
 */
export const LAN_OPTIONS: Record<string, OptionSpec> = {
  lan: { type: 'boolean', description: 'always share private and loopback addresses through the DHT (default: only while every address seen is private)' },
  'public-only': { type: 'boolean', description: 'never share private and loopback addresses through the DHT, even on one host or LAN' }
}

export function lanSetting (values: Values): LanSetting {
  const lan = flag(values, 'lan')
  const publicOnly = flag(values, 'public-only')
  if (lan && publicOnly) throw new UsageError('give --lan or --public-only, not both (neither: decided from the addresses this node sees)')
  return lan ? true : publicOnly ? false : 'auto'
}
