import type { MediaCapabilities } from '@quartiere/contracts'
import { type KeyboardEvent, type TouchEvent, useEffect, useId, useRef, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { deleteMedia } from '../../api/media'
import { useMessages } from '../../i18n/screen-messages'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { ReportButton } from '../report/report-button'
import { photoMessages } from './messages'

/** One photo as the viewer shows it: a thing's (with what the reader may do) or a post's. */
export interface ViewerPhoto {
  id: string
  url: string
  altText: string
  can?: MediaCapabilities
}

/** A finger moved this far sideways (CSS pixels) is a swipe to the next or previous photo. */
const swipeMinPx = 40

/**
 * The full-size photo in a modal <dialog> (the browser keeps focus inside; Escape closes): previous and next by
 * the on-screen buttons, the left and right arrow keys, or a swipe on a phone; the uploader's description as the
 * image's alt and as its caption. Deleting (confirmed first) and reporting are offered as `can` says.
 */
export function PhotoViewer({
  api,
  photos,
  start,
  onClose,
  onDeleted,
}: {
  api: ApiClient
  photos: ViewerPhoto[]
  start: number
  onClose(): void
  onDeleted?(id: string): void
}) {
  const i18n = useMessages(photoMessages)
  const { m, t } = i18n
  const id = useId()
  const dialog = useRef<HTMLDialogElement>(null)
  const [index, setIndex] = useState(Math.min(start, photos.length - 1))
  const [error, setError] = useState<string | null>(null)
  const touchX = useRef<number | null>(null)

  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])

  const count = photos.length
  const photo = photos[index]
  const go = (step: number) => {
    setError(null)
    setIndex((current) => (current + step + count) % count)
  }
  if (!photo) return null

  const onKeyDown = (event: KeyboardEvent) => {
    if (count < 2) return
    if (event.key === 'ArrowLeft') {
      event.preventDefault()
      go(-1)
    } else if (event.key === 'ArrowRight') {
      event.preventDefault()
      go(1)
    }
  }
  const onTouchStart = (event: TouchEvent) => {
    touchX.current = event.touches[0]?.clientX ?? null
  }
  const onTouchEnd = (event: TouchEvent) => {
    const from = touchX.current
    const to = event.changedTouches[0]?.clientX
    touchX.current = null
    if (from === null || to === undefined || count < 2) return
    if (to - from <= -swipeMinPx) go(1)
    else if (to - from >= swipeMinPx) go(-1)
  }
  const remove = async () => {
    if (!window.confirm(m('confirmDelete'))) return
    try {
      await deleteMedia(api, photo.id)
      onDeleted?.(photo.id)
      dialog.current?.close()
    } catch (failure) {
      setError(messageOf(i18n, failure))
    }
  }

  return (
    // The arrow keys act anywhere in the dialog; the buttons do the same for pointer and keyboard users.
    <dialog
      ref={dialog}
      className="photo-viewer"
      aria-labelledby={`${id}-title`}
      onClose={onClose}
      onKeyDown={onKeyDown}
      data-testid="photo-viewer"
    >
      <div className="photo-viewer-head">
        <h2 id={`${id}-title`} data-testid="photo-viewer-title">
          {m('viewer', { n: index + 1, count })}
        </h2>
        <button type="button" onClick={() => dialog.current?.close()} data-testid="photo-viewer-close">
          {t('common.close')}
        </button>
      </div>
      <figure
        className="photo-viewer-figure"
        onTouchStart={onTouchStart}
        onTouchEnd={onTouchEnd}
        data-testid="photo-viewer-figure"
      >
        <img src={api.url(photo.url)} alt={photo.altText} data-testid="photo-viewer-image" />
        <figcaption>{photo.altText || m('noDescription')}</figcaption>
      </figure>
      {count > 1 && (
        <div className="row photo-viewer-nav">
          <button type="button" onClick={() => go(-1)} data-testid="photo-previous">
            ‹ {m('previous')}
          </button>
          <button type="button" onClick={() => go(1)} data-testid="photo-next">
            {m('next')} ›
          </button>
        </div>
      )}
      {(photo.can?.delete || photo.can?.report) && (
        <div className="row small">
          {photo.can?.delete && (
            <button
              type="button"
              className="link danger"
              onClick={() => void remove()}
              data-testid="photo-delete"
            >
              {m('delete')}
            </button>
          )}
          {photo.can?.report && <ReportButton api={api} targetType="media" targetId={photo.id} />}
        </div>
      )}
      <FormMessage message={error} />
    </dialog>
  )
}
