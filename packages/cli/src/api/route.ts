import type { GridNode } from '@grid-node/core'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Returns the JSON body to send, or undefined when it wrote the response itself (streams). */
export type Handler = (node: GridNode, req: IncomingMessage, params: string[], res: ServerResponse) => Promise<unknown>

/** One endpoint of the local API. */
export interface Route { method: string, pattern: RegExp, handler: Handler }
