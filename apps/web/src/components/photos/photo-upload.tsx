import type { Media } from '@quartiere/contracts'
import { mediaAltTextLengthMax } from '@quartiere/contracts/community-limits'
import { useId, useRef, useState } from 'react'
import type { ApiClient, TokenSource } from '../../api/client'
import { fileRefusal, mediaUploadBytesMaxMiB, uploadMedia } from '../../api/media'
import { useMessages } from '../../i18n/screen-messages'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { photoMessages } from './messages'

/**
 * Adding one photo: taken with the phone's camera or chosen from the files, described in words (asked for, not
 * forced), sent with a progress bar. A file of the wrong type or too large is refused before sending it, from the
 * limits in the contracts; whatever the API refuses after is said in the reader's language.
 */
export function PhotoUploadForm({
  api,
  tokens,
  entityId,
  onUploaded,
}: {
  api: ApiClient
  tokens: TokenSource
  /** The thing the photo illustrates; none for a photo to show in a post. */
  entityId?: string
  onUploaded(media: Media): void
}) {
  const i18n = useMessages(photoMessages)
  const { m } = i18n
  const id = useId()
  const camera = useRef<HTMLInputElement>(null)
  const files = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<File | null>(null)
  const [altText, setAltText] = useState('')
  const [progress, setProgress] = useState<number | null>(null)
  const [note, setNote] = useState<FormNote | null>(null)

  const choose = (chosen: File | undefined) => {
    setNote(null)
    setProgress(null)
    if (!chosen) return
    const refusal = fileRefusal(chosen)
    if (refusal) {
      setFile(null)
      setNote({
        ok: false,
        text:
          refusal === 'wrong_type'
            ? m('wrongType')
            : m('tooLarge', { mb: i18n.number(mediaUploadBytesMaxMiB) }),
      })
      return
    }
    setFile(chosen)
  }

  const submit = async () => {
    if (!file) {
      setNote({ ok: false, text: m('noFile') })
      return
    }
    setNote(null)
    setProgress(0)
    try {
      const media = await uploadMedia(
        api,
        tokens,
        file,
        { ...(entityId ? { entityId } : {}), altText },
        setProgress,
      )
      setNote({ ok: true, text: m('uploaded') })
      setFile(null)
      setAltText('')
      for (const input of [camera.current, files.current]) if (input) input.value = ''
      onUploaded(media)
    } catch (failure) {
      setProgress(null)
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }

  const uploading = progress !== null && progress < 1 && note === null
  return (
    // A fieldset, not a form: it also sits inside the post form, and forms do not nest.
    <fieldset className="photo-upload" data-testid="photo-upload">
      <legend>{m('uploadTitle')}</legend>
      <div className="row">
        <button type="button" onClick={() => camera.current?.click()}>
          {m('takePhoto')}
        </button>
        <button type="button" onClick={() => files.current?.click()}>
          {m('chooseFile')}
        </button>
        <input
          ref={camera}
          type="file"
          accept="image/*"
          capture="environment"
          hidden
          onChange={(event) => choose(event.target.files?.[0])}
          data-testid="photo-camera"
        />
        <input
          ref={files}
          type="file"
          accept="image/*"
          hidden
          onChange={(event) => choose(event.target.files?.[0])}
          data-testid="photo-file"
        />
      </div>
      {file && <p data-testid="photo-chosen">{m('chosen', { name: file.name })}</p>}
      <label htmlFor={`${id}-alt`}>{m('altLabel')}</label>
      <textarea
        id={`${id}-alt`}
        value={altText}
        rows={2}
        maxLength={mediaAltTextLengthMax}
        aria-describedby={`${id}-alt-hint`}
        onChange={(event) => setAltText(event.target.value)}
        data-testid="photo-alt"
      />
      <p className="hint" id={`${id}-alt-hint`}>
        {m('altHint')}
      </p>
      {progress !== null && (
        <progress
          className="photo-progress"
          max={1}
          value={progress}
          aria-label={m('progress')}
          data-testid="photo-progress"
        />
      )}
      <button type="button" onClick={() => void submit()} disabled={uploading} data-testid="photo-submit">
        {uploading ? m('uploading') : m('upload')}
      </button>
      <FormMessage message={note} testId="photo-note" />
    </fieldset>
  )
}
