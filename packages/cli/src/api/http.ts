import type { IncomingMessage, ServerResponse } from 'node:http'

/** Control-plane requests are small; anything bigger is refused with 413 before it is buffered. */
export const MAX_BODY_BYTES = 64 * 1024

export class HttpError extends Error {
  readonly status: number
  constructor (status: number, message: string) {
    super(message)
    this.status = status
  }
}

export function sendJson (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** Reads a JSON object body, with 413 for too large and 400 for anything that is not JSON. */
export async function readJsonObject (req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw tooLarge()
    chunks.push(chunk as Buffer)
  }
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'the request body is not valid JSON')
  }
  if (body == null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'the request body must be a JSON object')
  }
  return body as Record<string, unknown>
}

function tooLarge (): HttpError {
  return new HttpError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`)
}
