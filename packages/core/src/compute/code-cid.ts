import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { CodeCidInvalidError } from '../errors.js'

const encoder = new TextEncoder()

/**
 * The content ID of a job's code: CIDv1, raw codec, sha256 of the code's UTF-8 bytes
 * (`bafkrei…`). The requester sends it with every job; the holder computes it again from the
 * code it got, refuses a job whose two differ, and checks approvals against it. `grid-node
 * approve job.js` prints the same string.
 */
export async function codeCid (code: string): Promise<string> {
  // a run sends the same code to every holder, and a holder gets the same code job after job
  if (last?.code === code) return last.cid
  const cid = CID.createV1(raw.code, await sha256.digest(encoder.encode(code))).toString()
  last = { code, cid }
  return cid
}

/** The last code hashed: comparing a string is cheaper than hashing it. */
let last: { code: string, cid: string } | undefined

/**
 * A code CID as a person or peer gave it, checked and in its canonical form (base32 CIDv1):
 * anything that is not a CIDv1 of raw bytes hashed with sha256 is a CodeCidInvalidError.
 */
export function parseCodeCid (text: string): string {
  let cid: CID
  try {
    cid = CID.parse(text.trim())
  } catch {
    throw new CodeCidInvalidError(text, 'it does not parse as a CID')
  }
  if (cid.version !== 1 || cid.code !== raw.code || cid.multihash.code !== sha256.code) {
    throw new CodeCidInvalidError(text, 'a job\'s code CID is a CIDv1 of raw bytes hashed with sha256')
  }
  return cid.toString()
}
