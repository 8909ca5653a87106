import type { ApiClient } from '../../api/client'
import { useMessages } from '../../i18n/screen-messages'
import { photoMessages } from './messages'

/** A row of thumbnails, each a button opening the viewer at it; its name says which photo and what it shows. */
export function PhotoThumbnails({
  api,
  photos,
  onOpen,
  label,
}: {
  api: ApiClient
  photos: { id: string; thumbnailUrl: string; altText: string }[]
  onOpen(index: number): void
  label?: string
}) {
  const { m } = useMessages(photoMessages)
  if (photos.length === 0) return null
  const count = photos.length
  return (
    <ul className="photo-thumbnails" {...(label ? { 'aria-label': label } : {})}>
      {photos.map((photo, index) => (
        <li key={photo.id}>
          <button
            type="button"
            className="photo-thumbnail"
            onClick={() => onOpen(index)}
            aria-label={
              photo.altText
                ? m('openDescribed', { n: index + 1, count, alt: photo.altText })
                : m('open', { n: index + 1, count })
            }
            data-testid="photo-thumbnail"
          >
            <img src={api.url(photo.thumbnailUrl)} alt="" loading="lazy" width={96} height={96} />
          </button>
        </li>
      ))}
    </ul>
  )
}
