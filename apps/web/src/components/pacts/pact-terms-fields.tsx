import type { ApiClient } from '../../api/client'
import { useMessages } from '../../i18n/screen-messages'
import { TextField } from '../text-field'
import { pactMessages } from './messages'
import { ThingPicker } from './thing-picker'

/** What a pact's proposers set and, while it is in proposal or co-design, may change: its terms. */
export interface PactTerms {
  spaces: string[]
  groups: string[]
  /** Months, as typed (empty: no set duration). */
  duration: string
}

/**
 * The spaces a pact cares for, its signatory groups and its duration: the same fields when a pact is proposed
 * and when its terms are edited. `idPrefix` keeps the ids (and test ids) of two forms on one page apart.
 */
export function PactTermsFields({
  api,
  terms,
  onChange,
  idPrefix,
}: {
  api: ApiClient
  terms: PactTerms
  onChange(terms: PactTerms): void
  idPrefix: string
}) {
  const { m } = useMessages(pactMessages)
  return (
    <>
      <ThingPicker
        api={api}
        kind="space"
        label={m('fieldSpaces')}
        multiple
        chosen={terms.spaces}
        onChange={(spaces) => onChange({ ...terms, spaces })}
        testId={`${idPrefix}-spaces`}
      />
      <ThingPicker
        api={api}
        kind="group"
        label={m('fieldGroups')}
        multiple
        chosen={terms.groups}
        onChange={(groups) => onChange({ ...terms, groups })}
        testId={`${idPrefix}-groups`}
      />
      <TextField
        id={`${idPrefix}-duration`}
        label={m('fieldDuration')}
        type="number"
        min={1}
        max={120}
        value={terms.duration}
        onChange={(duration) => onChange({ ...terms, duration })}
        testId={`${idPrefix}-duration`}
      />
    </>
  )
}
