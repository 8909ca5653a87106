import { useEffect, useState } from 'react'
import { defineMessages, useMessages } from '../../i18n/screen-messages'

const copyMessages = defineMessages(
  { copy: 'Copy', copied: 'Copied', failed: 'Select the text and copy it' },
  { copy: 'Copia', copied: 'Copiato', failed: 'Seleziona il testo e copialo' },
)

/** How long "Copied" stays on the button before it reads "Copy" again. */
const copiedShownMs = 2000

/** Copies a text (a URL, a recipe) to the clipboard and says so; where the browser refuses, says what to do. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { m } = useMessages(copyMessages)
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state !== 'copied') return
    const timer = setTimeout(() => setState('idle'), copiedShownMs)
    return () => clearTimeout(timer)
  }, [state])
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setState('copied')
    } catch {
      setState('failed')
    }
  }
  return (
    <>
      <button type="button" onClick={() => void copy()} data-testid="copy">
        {m('copy')}
        {label && <span className="visually-hidden"> {label}</span>}
      </button>
      <span role="status" className={state === 'failed' ? 'error' : 'ok'}>
        {state === 'copied' ? m('copied') : state === 'failed' ? m('failed') : ''}
      </span>
    </>
  )
}
