/**
 * The page's requests to its own node. An API bound beyond loopback answers 401 without
 * `Authorization: Bearer <token>`: the page then asks the person for the token (in the node's
 * data dir, file api-token), keeps it in sessionStorage (this tab only, gone when it closes)
 * and tries again.
 */

const TOKEN_KEY = 'grid-node-api-token'

export class Api {
  /** Called on a 401: shows the token form; resolves with the token typed, or never. */
  private readonly askToken: (refused: boolean) => Promise<string>
  private asking: Promise<void> | undefined

  constructor (askToken: (refused: boolean) => Promise<string>) {
    this.askToken = askToken
  }

  get token (): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY)
    } catch {
      return null
    }
  }

  headers (): Record<string, string> {
    const token = this.token
    return token != null ? { authorization: `Bearer ${token}` } : {}
  }

  forgetToken (): void {
    try { sessionStorage.removeItem(TOKEN_KEY) } catch {}
  }

  /** GETs JSON, asking for the token as often as the node refuses it. */
  async get<T> (path: string, signal?: AbortSignal): Promise<T> {
    for (;;) {
      const res = await fetch(path, { headers: { accept: 'application/json', ...this.headers() }, cache: 'no-store', ...(signal != null ? { signal } : {}) })
      if (res.status === 401) {
        await this.unauthorized()
        continue
      }
      const body = await res.json().catch(() => null) as unknown
      if (!res.ok) throw new Error(`${path}: ${errorText(body) ?? `the node answered ${res.status}`}`)
      return body as T
    }
  }

  /** One token form at a time, however many requests were refused. */
  async unauthorized (): Promise<void> {
    this.asking ??= (async () => {
      const refused = this.token != null
      const token = await this.askToken(refused)
      try { sessionStorage.setItem(TOKEN_KEY, token) } catch {}
    })().finally(() => { this.asking = undefined })
    await this.asking
  }
}

function errorText (body: unknown): string | undefined {
  return body != null && typeof body === 'object' && typeof (body as { error?: unknown }).error === 'string' ? (body as { error: string }).error : undefined
}
