import type { EntityCapabilities, Media, User } from '@quartiere/contracts'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useId, useState } from 'react'
import type { ApiClient, TokenSource } from '../../api/client'
import { entityMedia } from '../../api/media'
import { useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { photoMessages } from './messages'
import { PhotoThumbnails } from './photo-thumbnails'
import { PhotoUploadForm } from './photo-upload'
import { PhotoViewer } from './photo-viewer'

/**
 * A thing's photos in its detail panel: thumbnails that open the viewer, and, for those the API lets add photos
 * to it (`can.addPhoto`), the upload form. Loaded with the panel, on demand (React.lazy).
 */
export function EntityPhotos({
  api,
  tokens,
  entityId,
  user,
  can,
}: {
  api: ApiClient
  tokens: TokenSource | undefined
  entityId: string
  user: User | null
  can: EntityCapabilities | undefined
}) {
  const i18n = useMessages(photoMessages)
  const { m } = i18n
  const id = useId()
  const queryClient = useQueryClient()
  const key = queryKeys.entity.photos(entityId, user?.id ?? null)
  const query = useQuery({ queryKey: key, queryFn: ({ signal }) => entityMedia(api, entityId, signal) })
  const photos = query.data?.items ?? []
  const [viewing, setViewing] = useState<number | null>(null)
  const [adding, setAdding] = useState(false)
  const refresh = () => void queryClient.invalidateQueries({ queryKey: queryKeys.entity.all(entityId) })
  const added = (media: Media) => {
    queryClient.setQueryData(key, { items: [...photos, media], nextCursor: null })
    refresh()
  }
  const deleted = (photoId: string) => {
    queryClient.setQueryData(key, { items: photos.filter((photo) => photo.id !== photoId), nextCursor: null })
    // The posts that showed it let go of it.
    void queryClient.invalidateQueries({ queryKey: queryKeys.thread.all(entityId) })
    refresh()
  }

  if (photos.length === 0 && !can?.addPhoto && !query.error) return null
  return (
    <section className="photos" aria-labelledby={`${id}-title`} data-testid="entity-photos">
      <h3 id={`${id}-title`}>{m('title')}</h3>
      <FormMessage message={query.error ? messageOf(i18n, query.error) : null} />
      {query.isSuccess && photos.length === 0 && <p className="empty">{m('none')}</p>}
      <PhotoThumbnails api={api} photos={photos} onOpen={setViewing} />
      {photos.some((photo) => photo.hidden) && (
        <ul className="hidden-notices">
          {photos
            .filter((photo) => photo.hidden)
            .map((photo) => (
              <li key={photo.id} className="hidden-notice" role="note">
                {photo.hiddenReason ? m('hiddenReason', { reason: photo.hiddenReason }) : m('hidden')}
              </li>
            ))}
        </ul>
      )}
      {can?.addPhoto && tokens && !adding && (
        <button type="button" onClick={() => setAdding(true)} data-testid="photo-add">
          {m('add')}
        </button>
      )}
      {can?.addPhoto && tokens && adding && (
        <PhotoUploadForm api={api} tokens={tokens} entityId={entityId} onUploaded={added} />
      )}
      {viewing !== null && (
        <PhotoViewer
          api={api}
          photos={photos}
          start={viewing}
          onClose={() => setViewing(null)}
          onDeleted={deleted}
        />
      )}
    </section>
  )
}
