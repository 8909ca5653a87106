/**
 * The community's limits as plain numbers and lists. This module imports nothing, so the web client can read
 * them (`@quartiere/contracts/community-limits`) to refuse a wrong input before sending it without pulling the
 * schema library into its bundle; the schemas in community.ts use the same values.
 */

export const communityPageSizeMax = 100
export const communityPageSizeDefault = 20
export const postTitleLengthMax = 200
export const postBodyLengthMax = 10_000
export const commentBodyLengthMax = 5_000
export const postTagsMax = 10
export const postImagesMax = 10
export const reportDetailsLengthMax = 2_000
export const moderationReasonLengthMax = 2_000
export const joinMessageLengthMax = 1_000
export const pactNoteLengthMax = 5_000
export const pactLinksMax = 50
/** An image's description, written by its uploader. */
export const mediaAltTextLengthMax = 1_000
/** The largest image upload, in bytes (the server's default; MEDIA_BYTES_MAX may lower it). */
export const mediaUploadBytesMax = 10 * 1024 * 1024
/** The types of image an upload may be (judged by the bytes on the server; SVG is never accepted). */
export const mediaUploadTypes = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/heic',
  'image/heif',
] as const
