import { inflateRawSync } from 'node:zlib'

/**
 * Reads one file out of a Styled Map Package (a plain zip). The fallback basemap ships as an .smp holding a
 * single style.json whose sources are inline GeoJSON (land, lakes, rivers, boundaries): no tiles, no glyphs,
 * no sprites, so it renders with no network at all. A zip's central directory is enough to find the entry;
 * the format is small and fixed, so a dependency would add more than it saves.
 */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const endOfCentralDirectory = 0x06054b50
  const centralEntry = 0x02014b50
  const localEntry = 0x04034b50
  let end = -1
  // The end record sits in the last 22 bytes plus at most a 64 KiB comment.
  for (let offset = zip.length - 22; offset >= Math.max(0, zip.length - 22 - 0xffff); offset -= 1) {
    if (zip.readUInt32LE(offset) === endOfCentralDirectory) {
      end = offset
      break
    }
  }
  if (end < 0) throw new Error('not a zip file: no end of central directory')
  const entries = zip.readUInt16LE(end + 10)
  let cursor = zip.readUInt32LE(end + 16)
  for (let index = 0; index < entries; index += 1) {
    if (zip.readUInt32LE(cursor) !== centralEntry) throw new Error('corrupt zip central directory')
    const method = zip.readUInt16LE(cursor + 10)
    const compressedSize = zip.readUInt32LE(cursor + 20)
    const nameLength = zip.readUInt16LE(cursor + 28)
    const extraLength = zip.readUInt16LE(cursor + 30)
    const commentLength = zip.readUInt16LE(cursor + 32)
    const localOffset = zip.readUInt32LE(cursor + 42)
    const entryName = zip.toString('utf8', cursor + 46, cursor + 46 + nameLength)
    if (entryName === name) {
      if (zip.readUInt32LE(localOffset) !== localEntry) throw new Error('corrupt zip local header')
      const dataStart =
        localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28)
      const data = zip.subarray(dataStart, dataStart + compressedSize)
      if (method === 0) return Buffer.from(data)
      if (method === 8) return inflateRawSync(data)
      throw new Error(`zip entry ${name} uses unsupported compression method ${method}`)
    }
    cursor += 46 + nameLength + extraLength + commentLength
  }
  throw new Error(`zip has no entry ${name}`)
}
