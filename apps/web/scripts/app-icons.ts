import { deflateSync } from 'node:zlib'

/**
 * The installable app's icons, drawn at build time (no image files in the repository): a white map pin on the
 * theme's green, as PNG. `maskable` keeps the pin inside the safe zone (the inner 80 %) that launchers crop to.
 */
export const themeColour = '#1f7a4d'

export function appIconPng(size: number, maskable: boolean): Buffer {
  const [r, g, b] = [0x1f, 0x7a, 0x4d]
  const scale = maskable ? 0.62 : 0.8
  const pixels = Buffer.alloc(size * (size * 4 + 1))
  const cx = size / 2
  const headY = size * (0.5 - 0.12 * scale)
  const headR = size * 0.24 * scale
  const holeR = size * 0.09 * scale
  const tipY = size * (0.5 + 0.36 * scale)
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1)
    pixels[row] = 0
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - cx
      const dy = y + 0.5 - headY
      const d = Math.hypot(dx, dy)
      // The pin: a disc, and a triangle from its sides down to the tip; a hole in the middle.
      const inTail =
        y + 0.5 >= headY && y + 0.5 <= tipY && Math.abs(dx) <= headR * ((tipY - (y + 0.5)) / (tipY - headY))
      const white = (d <= headR || inTail) && d > holeR
      const rounded = maskable || insideRoundedSquare(x + 0.5, y + 0.5, size, size * 0.18)
      const offset = row + 1 + x * 4
      pixels[offset] = white ? 255 : r
      pixels[offset + 1] = white ? 255 : g
      pixels[offset + 2] = white ? 255 : b
      pixels[offset + 3] = rounded ? 255 : 0
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bit depth
  header[9] = 6 // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function insideRoundedSquare(x: number, y: number, size: number, radius: number): boolean {
  const nx = Math.min(x, size - x)
  const ny = Math.min(y, size - y)
  if (nx >= radius || ny >= radius) return true
  return Math.hypot(radius - nx, radius - ny) <= radius
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(data: Buffer): number {
  let c = 0xffffffff
  for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
