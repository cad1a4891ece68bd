/**
 * Requests Node refuses before any route runs (headers too large, too slow, malformed) get a
 * proper status and a JSON `{ "error" }` instead of a reset: the answer is written, the socket
 * half-closed, and what the client still sends is read and dropped for CLIENT_ERROR_LINGER.
 */
import { CLIENT_ERROR_LINGER, HEADERS_TIMEOUT, MAX_HEADER_BYTES, MAX_URL_BYTES, REQUEST_TIMEOUT } from './constants.js'
import { ChunkExtensionsTooLargeError, HeadersTooLargeError, MalformedRequestError, RequestTimeoutError, UrlTooLongError } from './errors.js'
import type { HttpError } from './errors.js'
import type { Server, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  413: 'Content Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large'
}

export function answerClientErrors (server: Server): void {
  const answered = new WeakSet<Duplex>()
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    // the parser reports every later chunk again; answer once
    if (answered.has(socket)) return
    answered.add(socket)
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy()
      return
    }
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage
    if (inFlight?.headersSent !== true) socket.write(response(refusal(err)))
    socket.end()
    socket.resume()
    setTimeout(() => { socket.destroy() }, CLIENT_ERROR_LINGER).unref()
  })
}

/** The parser's error code (Node's `HPE_*`), as the API's own error for it. */
function refusal (err: NodeJS.ErrnoException & { rawPacket?: Buffer }): HttpError {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(err.rawPacket) ? new UrlTooLongError(MAX_URL_BYTES) : new HeadersTooLargeError(MAX_HEADER_BYTES)
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new RequestTimeoutError(HEADERS_TIMEOUT, REQUEST_TIMEOUT)
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ChunkExtensionsTooLargeError()
    default:
      return new MalformedRequestError(err.code ?? err.message)
  }
}

/**
 * True when the data being parsed starts a request line that runs past MAX_URL_BYTES: the
 * parser only says the headers overflowed, and a long URL deserves 414 rather than 431.
 */
function requestLineTooLong (packet: Buffer | undefined): boolean {
  if (packet == null) return false
  const start = packet.subarray(0, MAX_URL_BYTES + 32).toString('latin1')
  return /^[A-Z]+ \S/.test(start) && !start.includes('\n')
}

function response ({ status, message }: HttpError): string {
  const body = JSON.stringify({ error: message })
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
}
