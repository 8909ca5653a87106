import { useMutation } from '@tanstack/react-query'
import { useState } from 'react'
import { unsubscribe } from '../../api/email'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import { pageItemOf } from '../../state/url-state'
import { FormMessage, type FormNote } from '../form-message'
import { messageOf } from '../messages'
import { unsubscribeMessages } from './messages'

/**
 * Where a digest's unsubscribe link leads someone whose mail program cannot unsubscribe in one click: one button
 * that posts the link's token (`/unsubscribe?id=…`), as the mail program would. No sign-in needed.
 */
export function UnsubscribePage({ api, user, goTo }: PageProps) {
  const i18n = useMessages(unsubscribeMessages)
  const { m } = i18n
  const [token] = useState(() => pageItemOf(window.location.search))
  const [note, setNote] = useState<FormNote | null>(null)
  const confirm = useMutation({ mutationFn: (value: string) => unsubscribe(api, value) })
  const submit = async () => {
    if (!token) return
    setNote(null)
    try {
      await confirm.mutateAsync(token)
      setNote({ ok: true, text: m('done') })
    } catch (failure) {
      setNote({ ok: false, text: messageOf(i18n, failure) })
    }
  }
  return (
    <main className="unsubscribe-page" aria-labelledby="unsubscribe-title" data-testid="unsubscribe-page">
      <h1 id="unsubscribe-title">{m('title')}</h1>
      {token ? (
        <>
          <p>{m('intro')}</p>
          {!confirm.isSuccess && (
            <button
              type="button"
              onClick={submit}
              disabled={confirm.isPending}
              data-testid="unsubscribe-confirm"
            >
              {m('confirm')}
            </button>
          )}
        </>
      ) : (
        <FormMessage message={m('noToken')} />
      )}
      <FormMessage message={note} testId="unsubscribe-message" />
      {user && (
        <p>
          <button type="button" onClick={() => goTo('account')}>
            {m('account')}
          </button>
        </p>
      )}
    </main>
  )
}
