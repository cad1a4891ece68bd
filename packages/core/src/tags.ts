import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import { TagInvalidError } from './errors.js'

/** `#` then a letter or digit, then up to 63 of a-z 0-9 - _ . : / (so `#compute:js` fits). */
const TAG_PATTERN = /^#[a-z0-9][a-z0-9._:/-]{0,63}$/

/** Trims, lower-cases and adds the one leading `#`; anything else is a TagInvalidError. */
export function normaliseTag (input: string): string {
  if (typeof input !== 'string') throw new TagInvalidError(String(input))
  const trimmed = input.trim().toLowerCase()
  const tag = trimmed.startsWith('#') ? trimmed : `#${trimmed}`
  if (!TAG_PATTERN.test(tag)) throw new TagInvalidError(input)
  return tag
}

/** Normalises a list, dropping duplicates, keeping the first-seen order. */
export function normaliseTags (inputs: string[]): string[] {
  return [...new Set(inputs.map(normaliseTag))]
}

/** The DHT key of a tag in a network: CIDv1(raw, sha256("grid-tag:v1:" + network + ":" + tag)). */
export async function tagKey (network: string, tag: string): Promise<CID> {
  const digest = await sha256.digest(new TextEncoder().encode(`grid-tag:v1:${network}:${normaliseTag(tag)}`))
  return CID.createV1(raw.code, digest)
}
