import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto'

/**
 * Password hashing with scrypt, following the OWASP Password Storage Cheat Sheet (N = 2^17, r = 8, p = 1).
 *
 * A hash is stored self-describing, `scrypt$<log2N>$<r>$<p>$<salt b64url>$<hash b64url>`, so that the cost can
 * be raised later: old hashes still verify with the parameters they carry, and `needsRehash` tells when to
 * replace one after a successful login.
 */

/** The production cost: 2^17 iterations of the memory-hard mix, about 128 MiB of memory per hash. */
export const passwordLog2NDefault = 17
/** Below this, scrypt is too cheap to mean anything; only tests go as low as 12, production stays at 14 or more. */
export const passwordLog2NMin = 10
/**
 * Stored hashes claiming a higher cost are refused as malformed: a hash string is data, and one written with
 * log2N = 30 would make each verification allocate 128 GiB.
 */
export const passwordLog2NMax = 20
export const passwordBlockSize = 8
export const passwordParallelism = 1
export const passwordSaltBytes = 16
export const passwordKeyBytes = 32
/** Shortest password accepted at registration, in characters (Unicode code points). */
export const passwordLengthMin = 10
/** Longest password accepted, in characters: a slow hash over unbounded input is a denial-of-service vector. */
export const passwordLengthMax = 256

// Parameters read back from a stored hash are bounded too, for the same reason as passwordLog2NMax.
const storedBlockSizeMax = 16
const storedParallelismMax = 16
const storedSaltBytesMin = 8
const storedSaltBytesMax = 64
const storedKeyBytesMin = 16
const storedKeyBytesMax = 64

/** scrypt's working memory (128 * N * r bytes) allowed for one hash: 1 GiB, 8 times the production cost. */
const passwordMemoryBytesMax = 2 ** 30

const prefix = 'scrypt'
const base64urlPattern = /^[A-Za-z0-9_-]+$/
const decimalPattern = /^[1-9][0-9]{0,2}$/

export interface PasswordHashOptions {
  /** log2 of scrypt's cost N. Defaults to {@link passwordLog2NDefault}; tests lower it for speed. */
  log2N?: number
}

interface ScryptParameters {
  log2N: number
  r: number
  p: number
  salt: Buffer
  hash: Buffer
}

/** The length of a password in characters as a person counts them (code points, not UTF-16 units). */
export function passwordLength(password: string): number {
  let length = 0
  for (const _ of password) length++
  return length
}

/**
 * Hashes a password with a fresh random salt.
 *
 * The caller checks the password policy first (see `registerUser`); a password longer than
 * {@link passwordLengthMax} reaching this function is a bug and throws.
 *
 * @example
 * const encoded = await hashPassword('correct horse battery')
 * await verifyPassword('correct horse battery', encoded) // true
 */
export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const log2N = options.log2N ?? passwordLog2NDefault
  assertLog2N(log2N)
  if (passwordLength(password) > passwordLengthMax) {
    throw new Error(`password longer than ${passwordLengthMax} characters reached hashPassword`)
  }
  const salt = randomBytes(passwordSaltBytes)
  const hash = await derive(
    normalize(password),
    salt,
    passwordKeyBytes,
    log2N,
    passwordBlockSize,
    passwordParallelism,
  )
  return [
    prefix,
    log2N,
    passwordBlockSize,
    passwordParallelism,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$')
}

/**
 * Checks a password against a stored hash in constant time. Returns false, and never throws, for a wrong
 * password, an over-long password or a malformed stored hash.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  if (typeof password !== 'string' || passwordLength(password) > passwordLengthMax) return false
  const parameters = parse(encoded)
  if (!parameters) return false
  const { log2N, r, p, salt, hash } = parameters
  let candidate: Buffer
  try {
    candidate = await derive(normalize(password), salt, hash.length, log2N, r, p)
  } catch {
    // The parameters passed parse()'s bounds, so this is scrypt refusing them (memory); treat as no match.
    return false
  }
  return timingSafeEqual(candidate, hash)
}

/**
 * True when a stored hash was made with parameters other than the current ones (or cannot be read), so that
 * the caller can hash the password again after it verified.
 */
export function needsRehash(encoded: string, log2N: number = passwordLog2NDefault): boolean {
  const parameters = parse(encoded)
  if (!parameters) return true
  return (
    parameters.log2N !== log2N ||
    parameters.r !== passwordBlockSize ||
    parameters.p !== passwordParallelism ||
    parameters.salt.length !== passwordSaltBytes ||
    parameters.hash.length !== passwordKeyBytes
  )
}

function assertLog2N(log2N: number): void {
  if (!Number.isInteger(log2N) || log2N < passwordLog2NMin || log2N > passwordLog2NMax) {
    throw new Error(
      `scrypt log2N must be an integer in [${passwordLog2NMin}, ${passwordLog2NMax}], got ${log2N}`,
    )
  }
}

// The same password typed on two devices can arrive in composed or decomposed Unicode form (è as one code
// point or as e + a combining accent); NFC makes them one password, as NIST SP 800-63B recommends.
function normalize(password: string): string {
  return password.normalize('NFC')
}

function parse(encoded: unknown): ScryptParameters | undefined {
  if (typeof encoded !== 'string' || encoded.length > 512) return undefined
  const parts = encoded.split('$')
  if (parts.length !== 6) return undefined
  const [name, log2NText, rText, pText, saltText, hashText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  if (name !== prefix) return undefined
  if (!decimalPattern.test(log2NText) || !decimalPattern.test(rText) || !decimalPattern.test(pText))
    return undefined
  if (!base64urlPattern.test(saltText) || !base64urlPattern.test(hashText)) return undefined
  const log2N = Number(log2NText)
  const r = Number(rText)
  const p = Number(pText)
  if (log2N < passwordLog2NMin || log2N > passwordLog2NMax) return undefined
  if (r > storedBlockSizeMax || p > storedParallelismMax) return undefined
  if (scryptMemoryBytes(log2N, r) > passwordMemoryBytesMax) return undefined
  const salt = Buffer.from(saltText, 'base64url')
  const hash = Buffer.from(hashText, 'base64url')
  if (salt.length < storedSaltBytesMin || salt.length > storedSaltBytesMax) return undefined
  if (hash.length < storedKeyBytesMin || hash.length > storedKeyBytesMax) return undefined
  return { log2N, r, p, salt, hash }
}

function scryptMemoryBytes(log2N: number, r: number): number {
  return 128 * 2 ** log2N * r
}

function derive(password: string, salt: Buffer, keyBytes: number, log2N: number, r: number, p: number) {
  // scrypt needs 128 * N * r bytes; Node's default maxmem (32 MiB) is below what N = 2^17 needs, and the
  // factor 2 leaves room for its other buffers.
  const options: ScryptOptions = { N: 2 ** log2N, r, p, maxmem: scryptMemoryBytes(log2N, r) * 2 }
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)))
  })
}
