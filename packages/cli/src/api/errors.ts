/**
 * The API's answers to a caller's mistakes: one class per failure, matched by `name`, each with
 * the HTTP status it is sent with and a message saying what to send instead.
 */

export class HttpError extends Error {
  static override name = 'HttpError'
  readonly status: number
  constructor (status: number, message: string) {
    super(message)
    this.name = HttpError.name
    this.status = status
  }
}

export class BodyInvalidError extends HttpError {
  static override name = 'BodyInvalidError'
  constructor (message: string) {
    super(400, message)
    this.name = BodyInvalidError.name
  }
}

export class QueryInvalidError extends HttpError {
  static override name = 'QueryInvalidError'
  constructor (message: string) {
    super(400, message)
    this.name = QueryInvalidError.name
  }
}

export class PathInvalidError extends HttpError {
  static override name = 'PathInvalidError'
  constructor (message: string) {
    super(400, message)
    this.name = PathInvalidError.name
  }
}

export class HeaderInvalidError extends HttpError {
  static override name = 'HeaderInvalidError'
  constructor (message: string) {
    super(400, message)
    this.name = HeaderInvalidError.name
  }
}

export class TokenRequiredError extends HttpError {
  static override name = 'TokenRequiredError'
  constructor () {
    super(401, 'this API needs "Authorization: Bearer <token>"; the token is in the node\'s data dir, file api-token')
    this.name = TokenRequiredError.name
  }
}

export class HostRefusedError extends HttpError {
  static override name = 'HostRefusedError'
  constructor (host: string, allowed: string[]) {
    super(403, `Host "${host}" is not this API's address; send Host: ${allowed.join(' or ')} (or a bearer token)`)
    this.name = HostRefusedError.name
  }
}

export class OriginRefusedError extends HttpError {
  static override name = 'OriginRefusedError'
  constructor (origin: string) {
    super(403, `requests from web pages of ${origin} are refused: only the API's own pages and non-browser clients may use it`)
    this.name = OriginRefusedError.name
  }
}

export class CrossSiteRefusedError extends HttpError {
  static override name = 'CrossSiteRefusedError'
  constructor (site: string) {
    super(403, `a ${site} request from a web page is refused: only the API's own pages and non-browser clients may use it`)
    this.name = CrossSiteRefusedError.name
  }
}

/** Node's HTTP parser could not read the request at all. */
export class MalformedRequestError extends HttpError {
  static override name = 'MalformedRequestError'
  constructor (detail: string) {
    super(400, `malformed HTTP request (${detail}); send HTTP/1.1 with a JSON body`)
    this.name = MalformedRequestError.name
  }
}

export class NotFoundError extends HttpError {
  static override name = 'NotFoundError'
  constructor (path: string) {
    super(404, `no such endpoint: ${path}`)
    this.name = NotFoundError.name
  }
}

export class MethodNotAllowedError extends HttpError {
  static override name = 'MethodNotAllowedError'
  constructor (method: string, path: string, allowed: string[]) {
    super(405, `${method} is not allowed on ${path}; use ${allowed.join(' or ')}`)
    this.name = MethodNotAllowedError.name
  }
}

export class RequestTimeoutError extends HttpError {
  static override name = 'RequestTimeoutError'
  constructor (headersMs: number, requestMs: number) {
    super(408, `the request was not received in time: send the headers within ${headersMs} ms and the whole request within ${requestMs} ms`)
    this.name = RequestTimeoutError.name
  }
}

export class BodyTooLargeError extends HttpError {
  static override name = 'BodyTooLargeError'
  constructor (limit: number) {
    super(413, `the request body is larger than ${limit} bytes`)
    this.name = BodyTooLargeError.name
  }
}

export class ChunkExtensionsTooLargeError extends HttpError {
  static override name = 'ChunkExtensionsTooLargeError'
  constructor () {
    super(413, 'the chunk extensions of the request body are too large')
    this.name = ChunkExtensionsTooLargeError.name
  }
}

export class UrlTooLongError extends HttpError {
  static override name = 'UrlTooLongError'
  constructor (limit: number) {
    super(414, `the URL is longer than ${limit} bytes; send long values in a JSON body`)
    this.name = UrlTooLongError.name
  }
}

export class TooManyHeadersError extends HttpError {
  static override name = 'TooManyHeadersError'
  constructor (limit: number) {
    super(431, `the request has ${limit} headers or more; send fewer`)
    this.name = TooManyHeadersError.name
  }
}

export class HeadersTooLargeError extends HttpError {
  static override name = 'HeadersTooLargeError'
  constructor (limit: number) {
    super(431, `the request line and headers are larger than ${limit} bytes; send fewer or shorter headers`)
    this.name = HeadersTooLargeError.name
  }
}

export class ContentTypeError extends HttpError {
  static override name = 'ContentTypeError'
  constructor (given: string | undefined) {
    super(415, `${given == null ? 'no Content-Type' : `Content-Type "${given}"`} is not accepted: send a JSON body with Content-Type: application/json`)
    this.name = ContentTypeError.name
  }
}

export class UpstreamError extends HttpError {
  static override name = 'UpstreamError'
  constructor (message: string) {
    super(502, message)
    this.name = UpstreamError.name
  }
}

/** `GET /v1/events` past MAX_EVENT_STREAMS streams at once. */
export class TooManyEventStreamsError extends HttpError {
  static override name = 'TooManyEventStreamsError'
  constructor (limit: number) {
    super(503, `this node already serves ${limit} event streams, its limit; close one (or follow another node) and try again`)
    this.name = TooManyEventStreamsError.name
  }
}
