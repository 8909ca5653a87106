import sharp, { type Metadata } from 'sharp'

/**
 * The limits of an upload. Every one is explicit: bytes on the wire, pixels once decoded (a 50 KB PNG can
 * claim 100,000 × 100,000 pixels and take gigabytes to decode: a decompression bomb), and the sizes kept.
 */
export interface ImageLimits {
  /** Largest upload, in bytes. */
  bytesMax: number
  /** Largest width × height of the source, checked from the header before any decoding. */
  pixelsMax: number
  /** The display variant fits in this square, in pixels (never enlarged). */
  displaySizePx: number
  /** The thumbnail is this square, in pixels (cropped to fill). */
  thumbnailSizePx: number
}

export const imageLimitsDefault: ImageLimits = {
  bytesMax: 10 * 1024 * 1024,
  pixelsMax: 50_000_000,
  displaySizePx: 1600,
  thumbnailSizePx: 320,
}

/** What a browser can show and sharp decodes safely. SVG is refused: it can carry scripts. */
const acceptedFormats = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif'])

/** Both variants are stored as WebP: small, with transparency, shown by every current browser. */
export const storedContentType = 'image/webp'
export const storedExtension = 'webp'

export interface ImageVariant {
  data: Buffer
  width: number
  height: number
}

export type ProcessedImage =
  | { ok: true; sourceFormat: string; display: ImageVariant; thumbnail: ImageVariant }
  | { ok: false; code: 'not_an_image' | 'unsupported_image_type' | 'image_too_large'; message: string }

/**
 * Turns an upload into what is stored: decoded by sharp (libvips), which judges the type by the bytes and not by
 * what the client claims; turned upright from its EXIF orientation; re-encoded without any metadata (EXIF can
 * hold the GPS position of the photographer's home, XMP and IPTC their name); resized to a display size and a
 * thumbnail.
 */
export async function processImage(
  input: Buffer,
  limits: ImageLimits = imageLimitsDefault,
): Promise<ProcessedImage> {
  if (input.length > limits.bytesMax) {
    return { ok: false, code: 'image_too_large', message: `images may be at most ${limits.bytesMax} bytes` }
  }
  let metadata: Metadata
  try {
    metadata = await sharp(input, { limitInputPixels: limits.pixelsMax, failOn: 'error' }).metadata()
  } catch (error) {
    // libvips refuses a header that claims more pixels than allowed before decoding anything.
    if (/pixel limit/i.test((error as Error).message)) {
      return {
        ok: false,
        code: 'image_too_large',
        message: `at most ${limits.pixelsMax} pixels are accepted`,
      }
    }
    return { ok: false, code: 'not_an_image', message: 'the file is not an image this server can read' }
  }
  if (!metadata.format || !acceptedFormats.has(metadata.format)) {
    return {
      ok: false,
      code: 'unsupported_image_type',
      message: `${metadata.format ?? 'this'} images are not accepted; send JPEG, PNG, WebP, GIF or AVIF`,
    }
  }
  const width = metadata.width ?? 0
  const height = metadata.pageHeight ?? metadata.height ?? 0
  if (width <= 0 || height <= 0) {
    return { ok: false, code: 'not_an_image', message: 'the image has no size' }
  }
  if (width * height > limits.pixelsMax) {
    return {
      ok: false,
      code: 'image_too_large',
      message: `the image is ${width} × ${height} pixels; at most ${limits.pixelsMax} pixels are accepted`,
    }
  }
  try {
    // limitInputPixels holds again while decoding, should the header have lied.
    const source = sharp(input, { limitInputPixels: limits.pixelsMax, failOn: 'error' }).rotate()
    const display = await source
      .clone()
      .resize({
        width: limits.displaySizePx,
        height: limits.displaySizePx,
        fit: 'inside',
        withoutEnlargement: true,
      })
      .webp({ quality: 82 })
      .toBuffer({ resolveWithObject: true })
    const thumbnail = await source
      .clone()
      .resize({ width: limits.thumbnailSizePx, height: limits.thumbnailSizePx, fit: 'cover' })
      .webp({ quality: 75 })
      .toBuffer({ resolveWithObject: true })
    return {
      ok: true,
      sourceFormat: metadata.format,
      display: { data: display.data, width: display.info.width, height: display.info.height },
      thumbnail: { data: thumbnail.data, width: thumbnail.info.width, height: thumbnail.info.height },
    }
  } catch (error) {
    const message = (error as Error).message
    if (/pixel limit/i.test(message)) {
      return {
        ok: false,
        code: 'image_too_large',
        message: `at most ${limits.pixelsMax} pixels are accepted`,
      }
    }
    return { ok: false, code: 'not_an_image', message: 'the image is damaged and cannot be read' }
  }
}

/**
 * Decoding is CPU-heavy: at most this many images are processed at once, the rest wait their turn, so a burst of
 * uploads cannot take every core from the map's readers.
 */
export function createProcessingGate(concurrencyMax: number) {
  let running = 0
  const waiting: (() => void)[] = []
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so no newcomer can slip in between.
    if (running >= concurrencyMax) await new Promise<void>((resolve) => waiting.push(resolve))
    else running += 1
    try {
      return await task()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else running -= 1
    }
  }
}
