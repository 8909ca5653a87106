import type { Media, PostImage } from '@quartiere/contracts'
import { useState } from 'react'
import type { ApiClient, TokenSource } from '../../api/client'
import { useMessages } from '../../i18n/screen-messages'
import { photoMessages } from './messages'
import { PhotoThumbnails } from './photo-thumbnails'
import { PhotoUploadForm } from './photo-upload'
import { PhotoViewer } from './photo-viewer'

/** A post's photos: thumbnails under its text, opening the viewer. Loaded only for posts that have photos. */
export function PostPhotos({ api, images }: { api: ApiClient; images: PostImage[] }) {
  const { m } = useMessages(photoMessages)
  const [viewing, setViewing] = useState<number | null>(null)
  return (
    <>
      <PhotoThumbnails api={api} photos={images} onOpen={setViewing} label={m('postPhotos')} />
      {viewing !== null && (
        <PhotoViewer api={api} photos={images} start={viewing} onClose={() => setViewing(null)} />
      )}
    </>
  )
}

/**
 * The photos of a post being written: each uploaded as it is chosen (described, with progress), listed with a
 * button to leave it out; the post sends their ids.
 */
export function PostPhotoPicker({
  api,
  tokens,
  photos,
  onChange,
}: {
  api: ApiClient
  tokens: TokenSource
  photos: Media[]
  onChange(photos: Media[]): void
}) {
  const { m } = useMessages(photoMessages)
  return (
    <div className="post-photos">
      {photos.length > 0 && (
        <ul className="photo-thumbnails" aria-label={m('attached')}>
          {photos.map((photo, index) => (
            <li key={photo.id}>
              <img src={api.url(photo.thumbnailUrl)} alt={photo.altText} width={96} height={96} />
              <button
                type="button"
                className="link"
                onClick={() => onChange(photos.filter((other) => other.id !== photo.id))}
              >
                {m('removeAttached', { n: index + 1 })}
              </button>
            </li>
          ))}
        </ul>
      )}
      <PhotoUploadForm api={api} tokens={tokens} onUploaded={(media) => onChange([...photos, media])} />
    </div>
  )
}
