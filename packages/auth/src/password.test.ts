import { describe, expect, it } from 'vitest'
import { hashPassword, needsRehash, passwordLengthMax, verifyPassword } from './password'

// The production cost (2^17) takes a few hundred milliseconds per hash; 2^12 keeps these tests fast.
const log2N = 12

describe('password hashing', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const encoded = await hashPassword('correct horse battery', { log2N })
    expect(encoded).toMatch(/^scrypt\$12\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/)
    expect(await verifyPassword('correct horse battery', encoded)).toBe(true)
    expect(await verifyPassword('correct horse batterY', encoded)).toBe(false)
    expect(await verifyPassword('', encoded)).toBe(false)
  })

  it('salts every hash differently', async () => {
    const first = await hashPassword('same password here', { log2N })
    const second = await hashPassword('same password here', { log2N })
    expect(first).not.toBe(second)
    expect(first.split('$')[4]).not.toBe(second.split('$')[4])
    expect(await verifyPassword('same password here', second)).toBe(true)
  })

  it('treats composed and decomposed Unicode as the same password', async () => {
    const encoded = await hashPassword('perché così\u00e8', { log2N })
    expect(await verifyPassword('perché così' + 'e\u0300', encoded)).toBe(true)
  })

  it('returns false for malformed or hostile stored hashes instead of throwing', async () => {
    const good = await hashPassword('correct horse battery', { log2N })
    const [, , r, p, salt, hash] = good.split('$')
    const malformed = [
      '',
      'not a hash',
      `bcrypt$12$${r}$${p}$${salt}$${hash}`,
      `scrypt$12$${r}$${p}$${salt}`,
      `scrypt$12$${r}$${p}$${salt}$${hash}$extra`,
      `scrypt$x$${r}$${p}$${salt}$${hash}`,
      `scrypt$012$${r}$${p}$${salt}$${hash}`,
      `scrypt$9$${r}$${p}$${salt}$${hash}`,
      // Cost far beyond the memory limit: must be refused, not attempted.
      `scrypt$30$${r}$${p}$${salt}$${hash}`,
      `scrypt$20$64$${p}$${salt}$${hash}`,
      `scrypt$12$${r}$${p}$${salt}$!!!`,
      `scrypt$12$${r}$${p}$$${hash}`,
      `scrypt$12$${r}$${p}$${salt}$AAAA`,
      'x'.repeat(100_000),
      undefined as unknown as string,
    ]
    for (const encoded of malformed) {
      await expect(verifyPassword('correct horse battery', encoded)).resolves.toBe(false)
    }
  })

  it('refuses over-long passwords without hashing them', async () => {
    const encoded = await hashPassword('correct horse battery', { log2N })
    expect(await verifyPassword('a'.repeat(passwordLengthMax + 1), encoded)).toBe(false)
    await expect(hashPassword('a'.repeat(passwordLengthMax + 1), { log2N })).rejects.toThrow()
    // Length is counted in characters: 256 emoji (512 UTF-16 units) are still within the limit.
    await expect(hashPassword('😀'.repeat(passwordLengthMax), { log2N })).resolves.toMatch(/^scrypt\$/)
  })

  it('asserts a sane cost', async () => {
    await expect(hashPassword('correct horse battery', { log2N: 9 })).rejects.toThrow(/log2N/)
    await expect(hashPassword('correct horse battery', { log2N: 12.5 })).rejects.toThrow(/log2N/)
  })

  it('tells when a hash was made with other parameters', async () => {
    const encoded = await hashPassword('correct horse battery', { log2N })
    expect(needsRehash(encoded, log2N)).toBe(false)
    expect(needsRehash(encoded, 17)).toBe(true)
    expect(needsRehash(encoded)).toBe(true)
    expect(needsRehash(encoded.replace('$8$1$', '$4$1$'), log2N)).toBe(true)
    expect(needsRehash('garbage', log2N)).toBe(true)
  })
})
