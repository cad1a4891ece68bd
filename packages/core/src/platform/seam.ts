/**
 * The types both sides of the platform seam (`node.ts`, `browser.ts`) speak. The seam imports
 * nothing else from inside core: what it needs to know is declared here.
 */

/** A certificate and key, PEM text, for WebSockets over TLS (`wss://`). */
export interface TlsInit { cert: string, key: string }

/** The platform's worker (a worker thread in Node.js, a Web Worker in browsers), carrying `In` to it and `Out` back. */
export interface WorkerHandle<In, Out> {
  post(message: In): void
  onMessage(listener: (message: Out) => void): void
  onExit(listener: (error: Error) => void): void
  terminate(): Promise<void>
}
