import { randomBytes } from 'node:crypto'
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import webpush from 'web-push'

/** The application server's identity towards push services (RFC 8292). */
export interface VapidKeys {
  /** P-256 public key, uncompressed point, base64url: what browsers subscribe with. */
  publicKey: string
  /** P-256 private key (32 bytes), base64url. */
  privateKey: string
  /** A mailto: or https: URL push services may contact about our traffic. */
  subject: string
}

export interface VapidKeyOptions {
  /** VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: both or neither. */
  publicKey?: string
  privateKey?: string
  subject: string
  /**
   * Where a generated pair is kept (DATA_DIR/vapid-keys.json, mode 0600) when none is configured, so that
   * browsers' subscriptions survive a restart. Without it (tests), a pair is generated for the process.
   */
  keyFile?: string
}

/**
 * The VAPID keys: the configured pair, or the pair kept in `keyFile`, generated there on first start (as the
 * access-token key is). Throws, quoting no key, when a configured key is malformed or only one is given.
 */
export async function loadVapidKeys(options: VapidKeyOptions): Promise<VapidKeys> {
  checkSubject(options.subject)
  if (options.publicKey || options.privateKey) {
    if (!options.publicKey || !options.privateKey)
      throw new Error('VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both, or neither')
    return checked(
      { publicKey: options.publicKey, privateKey: options.privateKey },
      'the configuration',
      options,
    )
  }
  if (!options.keyFile) return { ...webpush.generateVAPIDKeys(), subject: options.subject }
  const keyFile = options.keyFile
  const existing = await readFile(keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (existing !== undefined) return checked(parse(existing, keyFile), keyFile, options)
  const pair = webpush.generateVAPIDKeys()
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 })
  // Whole to a private temporary file, then linked into place: link() fails when another instance starting at
  // the same moment wrote its pair first, and then that pair is the one.
  const temporary = join(dirname(keyFile), `.${randomBytes(8).toString('hex')}.vapid.tmp`)
  await writeFile(temporary, `${JSON.stringify(pair)}\n`, { mode: 0o600, flag: 'wx' })
  try {
    await link(temporary, keyFile)
    return { ...pair, subject: options.subject }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return checked(parse(await readFile(keyFile, 'utf8'), keyFile), keyFile, options)
  } finally {
    await unlink(temporary)
  }
}

function parse(text: string, source: string): { publicKey: string; privateKey: string } {
  try {
    const value = JSON.parse(text) as { publicKey?: unknown; privateKey?: unknown }
    if (typeof value.publicKey === 'string' && typeof value.privateKey === 'string')
      return { publicKey: value.publicKey, privateKey: value.privateKey }
  } catch {}
  throw new Error(`the VAPID keys in ${source} must be JSON with publicKey and privateKey`)
}

function checked(
  pair: { publicKey: string; privateKey: string },
  source: string,
  options: VapidKeyOptions,
): VapidKeys {
  if (
    base64urlBytes(pair.publicKey) !== 65 ||
    !Buffer.from(pair.publicKey, 'base64url')
      .subarray(0, 1)
      .equals(Buffer.from([4]))
  )
    throw new Error(`the VAPID public key in ${source} must be a P-256 point, 65 bytes, base64url`)
  if (base64urlBytes(pair.privateKey) !== 32)
    throw new Error(`the VAPID private key in ${source} must be 32 bytes, base64url`)
  return { ...pair, subject: options.subject }
}

/** The decoded length of a base64url string, or -1 when it is not one. */
export function base64urlBytes(value: string): number {
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return -1
  return Buffer.from(value, 'base64url').length
}

function checkSubject(subject: string) {
  if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(subject))
    throw new Error(`VAPID_SUBJECT must be a mailto: address or an https: URL, got "${subject}"`)
}
