import { useMutation } from '@tanstack/react-query'
import { type FormEvent, useEffect, useRef, useState } from 'react'
import { eraseAccount } from '../../api/account'
import type { ApiClient } from '../../api/client'
import { ApiProblem } from '../../api/problem'
import { useMessages } from '../../i18n/screen-messages'
import type { PageProps } from '../../pages'
import type { SessionStore } from '../../session/session'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { AccountSection } from './account-page'
import { accountMessages } from './messages'

/** The groups a `sole_group_owner` refusal names (as `/groups/<id>` in its errors). */
function groupIdsOf(problem: ApiProblem): string[] {
  return problem.errors.flatMap((error) => {
    const match = /^\/groups\/([0-9a-f-]{36})$/i.exec(error.path)
    return match?.[1] ? [match[1]] : []
  })
}

/**
 * Erasing the account: first what goes and what stays (as packages/personal-data does it), and only then the
 * password. A refusal says what stands in the way and leads there: the wallet for an exchange, hold or campaign
 * in progress, the group for a group the member alone owns.
 */
export function Erasure({
  api,
  session,
  showOnMap,
  goTo,
}: {
  api: ApiClient
  session: SessionStore
  showOnMap: PageProps['showOnMap']
  goTo: PageProps['goTo']
}) {
  const i18n = useMessages(accountMessages)
  const { m } = i18n
  const [asking, setAsking] = useState(false)
  const [password, setPassword] = useState('')
  const [failure, setFailure] = useState<unknown>(null)
  const passwordField = useRef<HTMLInputElement>(null)
  const erase = useMutation({ mutationFn: () => eraseAccount(api, password) })
  useEffect(() => {
    if (asking) passwordField.current?.focus()
  }, [asking])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setFailure(null)
    try {
      await erase.mutateAsync()
    } catch (error) {
      setFailure(error)
      return
    }
    // The account is gone, its sessions with it: the local session ends and the map shows.
    await session.signOut()
    goTo('map')
  }

  const problem = failure instanceof ApiProblem ? failure : null
  const groups = problem?.code === 'sole_group_owner' ? groupIdsOf(problem) : []
  const toWallet = problem?.code === 'pending_transfers' || problem?.code === 'campaign_running'
  return (
    <AccountSection id="erase" title={m('erase')}>
      <p>{m('eraseIntro')}</p>
      <ul className="account-consequences" data-testid="account-erase-consequences">
        <li>{m('eraseGoes')}</li>
        <li>{m('eraseStays')}</li>
        <li>{m('eraseLedger')}</li>
        <li>{m('eraseBlocked')}</li>
      </ul>
      {asking ? (
        <form className="account-form" onSubmit={submit}>
          <TextField
            id="account-erase-password"
            label={m('erasePassword')}
            ref={passwordField}
            type="password"
            required
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            testId="account-erase-password"
          />
          <div className="row">
            <button
              type="submit"
              className="danger"
              disabled={erase.isPending}
              data-testid="account-erase-confirm"
            >
              {m('eraseConfirm')}
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              {i18n.t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <button
          type="button"
          className="danger"
          onClick={() => setAsking(true)}
          data-testid="account-erase-start"
        >
          {m('eraseContinue')}
        </button>
      )}
      {failure !== null && (
        <div className="account-refusal" data-testid="account-erase-refusal">
          <FormMessage message={messageOf(i18n, failure)} />
          {toWallet && (
            <button
              type="button"
              className="link"
              onClick={() => goTo('wallet')}
              data-testid="account-erase-wallet"
            >
              {m('openWallet')}
            </button>
          )}
          {groups.map((id) => (
            <button key={id} type="button" className="link" onClick={() => showOnMap(id)}>
              {m('openGroup')}
            </button>
          ))}
        </div>
      )}
    </AccountSection>
  )
}
