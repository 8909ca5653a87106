import type { Pact } from '@quartiere/contracts'
import { pactStatuses } from '@quartiere/contracts/enums'
import type { MessageKey } from '../../i18n/dictionaries'
import { useMessages } from '../../i18n/screen-messages'
import { pactMessages } from './messages'

/** The stages in order when all goes well: the contracts' workflow without its refused end. */
const pactPath: readonly Pact['status'][] = pactStatuses.filter((status) => status !== 'rejected')

/** The stages a pact went through, ending where it stands: a rejected one stops where it was turned down. */
export function stagesOf(pact: Pick<Pact, 'status' | 'history'>): readonly Pact['status'][] {
  if (pact.status !== 'rejected') return pactPath
  const rejectedAt = pact.history.find((item) => item.type === 'transition' && item.to === 'rejected')?.from
  return [
    ...pactPath.slice(0, pactPath.indexOf(rejectedAt === 'co-design' ? 'co-design' : 'proposal') + 1),
    'rejected',
  ]
}

/** Where a pact stands: every stage in order, the current one marked, and what it means and what comes next. */
export function PactStages({ pact }: { pact: Pick<Pact, 'status' | 'history'> }) {
  const { m, t } = useMessages(pactMessages)
  const stages = stagesOf(pact)
  const reached = stages.indexOf(pact.status)
  return (
    <section className="pact-stages" aria-labelledby="pact-stages-title" data-testid="pact-stages">
      <h2 id="pact-stages-title">{m('stagesLabel')}</h2>
      <ol className="pact-steps">
        {stages.map((status, index) => (
          <li
            key={status}
            className={index < reached ? 'done' : index === reached ? 'current' : 'todo'}
            aria-current={index === reached ? 'step' : undefined}
            data-testid={index === reached ? 'pact-stage-current' : undefined}
          >
            {t(`value.${status}` as MessageKey)}
            {index === reached && <span className="visually-hidden"> {m('stageCurrent')}</span>}
          </li>
        ))}
      </ol>
      <p data-testid="pact-stage-now">
        <strong>{m('stageNow', { stage: t(`value.${pact.status}` as MessageKey) })}</strong>{' '}
        {m(`stage.${pact.status}`)}
      </p>
      <p className="hint" data-testid="pact-stage-next">
        {m(`next.${pact.status}`)}
      </p>
    </section>
  )
}
