import type { Pact } from '@quartiere/contracts'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useEffect, useRef, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { myGroups } from '../../api/groups'
import { proposePact } from '../../api/pacts'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import { FormMessage } from '../form-message'
import { messageOf } from '../messages'
import { TextField } from '../text-field'
import { type PactMessageKey, pactMessages } from './messages'
import { type PactTerms, PactTermsFields } from './pact-terms-fields'

/**
 * Propose a pact: its title and notes, the places it cares for and the groups that will sign, chosen on the map
 * by name, and how long it lasts. It is drawn where its first place is. It may be proposed on behalf of a group the
 * API says the member speaks for (`speaksFor` of their groups); the API checks it again.
 */
export function ProposeForm({
  api,
  userId,
  onCancel,
  onProposed,
}: {
  api: ApiClient
  userId: string
  onCancel(): void
  onProposed(pact: Pact): void
}) {
  const messages = useMessages(pactMessages)
  const { m } = messages
  const queryClient = useQueryClient()
  const [title, setTitle] = useState('')
  const [description, setDescription] = useState('')
  const [proposerGroup, setProposerGroup] = useState('')
  // Only the groups the API says this member speaks for are offered (its owners and managers).
  const mine = useQuery({ queryKey: queryKeys.groups.mine(userId), queryFn: () => myGroups(api) })
  const speaksFor = (mine.data?.items ?? []).filter((group) => group.speaksFor)
  const [terms, setTerms] = useState<PactTerms>({ spaces: [], groups: [], duration: '' })
  const { spaces, groups, duration } = terms
  const [error, setError] = useState<((i18n: ScreenI18n<PactMessageKey>) => string) | null>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])

  const propose = useMutation({
    mutationFn: async () => {
      const first = spaces[0] as string
      const space = await queryClient.fetchQuery({
        queryKey: queryKeys.entity.detail(first),
        queryFn: ({ signal }) => api.getEntity(first, signal),
      })
      return proposePact(api, {
        title: title.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        geometry: space.value.geometry,
        ...(proposerGroup ? { proposerGroupId: proposerGroup } : {}),
        spaces,
        signatoryGroups: groups,
        ...(duration ? { durationMonths: Number(duration) } : {}),
      })
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.pacts.all }),
  })

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    if (spaces.length === 0) {
      setError(() => (i18n: ScreenI18n<PactMessageKey>) => i18n.m('needSpace'))
      return
    }
    try {
      onProposed(await propose.mutateAsync())
    } catch (failure) {
      setError(() => (i18n: ScreenI18n<PactMessageKey>) => messageOf(i18n, failure))
    }
  }

  return (
    <form
      className="pact-form pact-propose"
      onSubmit={submit}
      aria-labelledby="pact-propose-title"
      data-testid="pact-propose-form"
    >
      <h2 id="pact-propose-title" tabIndex={-1} ref={heading}>
        {m('proposeTitle')}
      </h2>
      <p className="hint">{m('proposeHint')}</p>
      <TextField
        id="pact-title"
        label={m('fieldTitle')}
        required
        maxLength={200}
        value={title}
        onChange={setTitle}
        testId="pact-title"
      />
      <div className="field">
        <label htmlFor="pact-description">{m('fieldDescription')}</label>
        <textarea
          id="pact-description"
          rows={3}
          maxLength={20000}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          data-testid="pact-description"
        />
      </div>
      {speaksFor.length > 0 && (
        <div className="field">
          <label htmlFor="pact-proposer-group">{m('fieldProposerGroup')}</label>
          <select
            id="pact-proposer-group"
            value={proposerGroup}
            onChange={(event) => setProposerGroup(event.target.value)}
            data-testid="pact-proposer-group"
          >
            <option value="">{m('proposerYourself')}</option>
            {speaksFor.map((group) => (
              <option key={group.groupId} value={group.groupId}>
                {group.title}
              </option>
            ))}
          </select>
        </div>
      )}
      <PactTermsFields api={api} terms={terms} onChange={setTerms} idPrefix="pact" />
      <FormMessage message={error?.(messages)} testId="pact-propose-error" />
      <div className="row">
        <button type="submit" disabled={propose.isPending} data-testid="pact-propose-submit">
          {m('submitPropose')}
        </button>
        <button type="button" onClick={onCancel}>
          {m('cancel')}
        </button>
      </div>
    </form>
  )
}
