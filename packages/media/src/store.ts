import { createReadStream } from 'node:fs'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'

/**
 * Where image files live. The local disk is the default; an S3-compatible bucket implements the same four
 * operations (PutObject, GetObject, DeleteObject) without the rest of the code knowing.
 */
export interface MediaStore {
  /** Writes a file whole: readers never see it half written. */
  put(key: string, data: Buffer, contentType: string): Promise<void>
  /** The file and its size, or undefined when there is none. */
  get(key: string): Promise<{ stream: Readable; bytes: number } | undefined>
  /** Removes every file under the prefix (an image's variants); missing files are fine. */
  deletePrefix(prefix: string): Promise<void>
}

/** Keys are ours (`<uuid>/<variant>.<ext>`): anything else could walk out of the store's directory. */
const keyPattern = /^[0-9a-f-]{36}(\/[a-z0-9]+\.[a-z0-9]+)?$/

export function checkKey(key: string): void {
  if (!keyPattern.test(key)) throw new Error(`invalid media key ${JSON.stringify(key)}`)
}

/** Files under a directory on the local disk (by default DATA_DIR/media), created on the first write. */
export class LocalDiskMediaStore implements MediaStore {
  readonly root: string
  constructor(root: string) {
    this.root = resolve(root)
  }

  private path(key: string): string {
    checkKey(key)
    const path = resolve(join(this.root, key))
    if (!path.startsWith(this.root + sep)) throw new Error(`media key ${key} leaves the store`)
    return path
  }

  async put(key: string, data: Buffer): Promise<void> {
    const path = this.path(key)
    await mkdir(dirname(path), { recursive: true })
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`
    await writeFile(temporary, data)
    await rename(temporary, path)
  }

  async get(key: string): Promise<{ stream: Readable; bytes: number } | undefined> {
    const path = this.path(key)
    try {
      const info = await stat(path)
      return { stream: createReadStream(path), bytes: info.size }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.path(prefix), { recursive: true, force: true })
  }
}
