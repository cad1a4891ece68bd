import { apiUrl } from '../../api/client.js'

/** The API listens on loopback unless told otherwise; a fixed port keeps old clients working. */
export const DEFAULT_API = '127.0.0.1:7402'

export interface ApiAddress { host: string, port: number, loopback: boolean }

export function parseApiAddress (text: string): ApiAddress {
  const url = new URL(apiUrl(text))
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.')
  return { host, port: Number(url.port), loopback }
}
