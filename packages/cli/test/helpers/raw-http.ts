// A request through node:http, for what fetch will not send: a Host or Origin header of our
// choosing, a URL over any limit, dozens of headers. Answers with the status and the parsed JSON.
import { request } from 'node:http'

export interface Reply { status: number, body: any }

export interface RawRequest { method?: string, path: string, headers?: Record<string, string>, body?: string }

export async function rawHttp (port: number, init: RawRequest): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: init.method ?? 'GET', path: init.path, headers: init.headers ?? {} }, res => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { text += d })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: text === '' ? undefined : JSON.parse(text) }) })
    })
    req.on('error', reject)
    req.end(init.body)
  })
}
