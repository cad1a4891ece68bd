/**
 * Requests Node refuses before any route runs (headers too large, too slow, malformed) get a
 * proper status and a JSON `{ "error" }` instead of a reset: the answer is written, the socket
 * half-closed, and what the client still sends is read and dropped for CLIENT_ERROR_LINGER.
 */
import { CLIENT_ERROR_LINGER, HEADERS_TIMEOUT, MAX_HEADER_BYTES, MAX_URL_BYTES, REQUEST_TIMEOUT } from './constants.js'
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

function refusal (err: NodeJS.ErrnoException & { rawPacket?: Buffer }): { status: number, error: string } {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return requestLineTooLong(err.rawPacket)
        ? { status: 414, error: `the URL is longer than ${MAX_URL_BYTES} bytes; send long values in a JSON body` }
        : { status: 431, error: `the request line and headers are larger than ${MAX_HEADER_BYTES} bytes; send fewer or shorter headers` }
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, error: `the request was not received in time: send the headers within ${HEADERS_TIMEOUT} ms and the whole request within ${REQUEST_TIMEOUT} ms` }
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, error: 'the chunk extensions of the request body are too large' }
    default:
      return { status: 400, error: `malformed HTTP request (${err.code ?? err.message}); send HTTP/1.1 with a JSON body` }
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

function response ({ status, error }: { status: number, error: string }): string {
  const body = JSON.stringify({ error })
  return `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
}
