import { ApiProblem } from '../api/problem'
import { type I18n, messageOr } from '../i18n/i18n'

export function problemMessage(i18n: I18n, problem: ApiProblem): string {
  // Every refusal the API can give has a `problem.<code>` message (tests/architecture/refusals-worded.test.ts);
  // a code without one (an answer meant for other programs) shows the server's own detail, written for people.
  const fallback = problem.status === 429 ? i18n.t('problem.rate_limited') : problem.detail
  return messageOr(i18n, `problem.${problem.code}`, fallback)
}

/** What went wrong, for a person: a problem the API answered, in the reader's words; anything else as it is. */
export function messageOf(i18n: I18n, failure: unknown): string {
  return failure instanceof ApiProblem ? problemMessage(i18n, failure) : String(failure)
}
