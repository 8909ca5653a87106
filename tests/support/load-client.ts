import type { Transfer } from '@quartiere/contracts'

/**
 * A load client for the ledger over real HTTP (node's fetch, whose undici agent keeps connections alive),
 * with a journal of everything it sent and what it finally heard. Every ledger request carries an
 * Idempotency-Key and is retried with the same key and the same body until it gets a definite answer, as a
 * careful client would; the journal is what the test later holds the books against.
 */

/** A member as the load sees it: who they are, their TIME account, and a bearer token. */
export interface Party {
  userId: string
  accountId: string
  accessToken: string
  email: string
}

/** An account as the client names it; a group's and the issuance account's ids are looked up at the end. */
export type AccountRef = { accountId: string } | { groupId: string } | { system: 'issuance' }

/** What a request does to the books if it succeeds, as the client meant it (amounts in minor units). */
export type Intent =
  | { kind: 'pay'; debit: AccountRef; credit: AccountRef; amount: bigint }
  | { kind: 'hold'; debit: AccountRef; credit: AccountRef; amount: bigint }
  /** `amount` null: the full hold. */
  | { kind: 'post'; holdKey: string; amount: bigint | null }
  | { kind: 'void'; holdKey: string }

/** The final, definite answer to a request (network failures and 503s are retried, never final). */
export type Answer =
  | { kind: 'acknowledged'; status: 200 | 201; transfer: Transfer }
  | { kind: 'refused'; status: 422; code: string }
  | { kind: 'conflict'; status: 409; code: string }
  | { kind: 'unexpected'; status: number; body: string }

export interface LedgerRequest {
  /** The Idempotency-Key, which is also the id of the transfer it creates. */
  key: string
  path: string
  /** The JSON body; undefined sends none. */
  body: unknown
  accessToken: string
  intent: Intent
  /** Which load client sent it (-1: the test's own setup). */
  client: number
}

export interface JournalEntry extends LedgerRequest {
  answer?: Answer
  /** HTTP exchanges tried, including the first. */
  attempts: number
  /** Attempts that ended without any HTTP answer (connection reset or refused, client-side abort). */
  networkFailures: number
}

/** Where requests go. */
export interface Target {
  /** The base URL of the instance to use; `preferred` rotates so that retries change instance. */
  urlFor(preferred: number): string
  /** Called after a request failed at the network level, before its retry (e.g. waits for a restart). */
  afterNetworkFailure(): Promise<void>
}

/** Attempts of one request at most; a request that never gets a definite answer fails the test. */
export const attemptsMax = 40
/** A single HTTP exchange longer than this is abandoned and retried with the same key. */
export const requestTimeoutMs = 30_000
/** Pause before retrying after a 503 (the server closing or its ledger queue full), in milliseconds. */
const overloadedPauseMs = 50

export interface JournalStats {
  httpRequests: number
  acknowledged: number
  refused: number
  networkFailures: number
  /** First attempts that the client cut short on purpose, to lose an answer the server may have given. */
  abortsInjected: number
  serviceUnavailable: number
  /** Definite answers asked again with the same key on purpose (answer (a) of a retry). */
  immediateReplays: number
}

/** A replay whose answer differs from the first: never expected. */
export interface ReplayMismatch {
  key: string
  first: Answer
  again: Answer
}

export class Journal {
  readonly entries: JournalEntry[] = []
  readonly byKey = new Map<string, JournalEntry>()
  readonly replayMismatches: ReplayMismatch[] = []
  readonly stats: JournalStats = {
    httpRequests: 0,
    acknowledged: 0,
    refused: 0,
    networkFailures: 0,
    abortsInjected: 0,
    serviceUnavailable: 0,
    immediateReplays: 0,
  }
  /** Keys with an HTTP exchange started and not yet finished, with how many such exchanges. */
  readonly inFlight = new Map<string, number>()
  /** Called on every definite answer, after the stats are updated (the crash test kills the server here). */
  onAnswer: (answer: Answer) => void = () => {}

  constructor(readonly target: Target) {}

  /**
   * Sends a ledger request and retries it with the same key and body until it has a definite answer.
   * `abortAfterMs` cuts the first attempt short after that long (if it has not been answered yet), so the
   * server may have done the work while the client never heard of it.
   */
  async send(request: LedgerRequest, options: { instance: number; abortAfterMs?: number }): Promise<Answer> {
    if (this.byKey.has(request.key)) throw new Error(`key ${request.key} was sent already`)
    const entry: JournalEntry = { ...request, attempts: 0, networkFailures: 0 }
    this.entries.push(entry)
    this.byKey.set(entry.key, entry)
    entry.answer = await this.#untilAnswered(entry, options.instance, options.abortAfterMs)
    return entry.answer
  }

  /** Asks again, with the same key and body, for a request already answered; the answer must be the same. */
  async replay(key: string, instance: number): Promise<Answer> {
    const entry = this.byKey.get(key)
    if (!entry?.answer) throw new Error(`key ${key} has no answer to replay`)
    this.stats.immediateReplays += 1
    const again = await this.#untilAnswered(entry, instance, undefined)
    if (!sameAnswer(entry.answer, again)) this.replayMismatches.push({ key, first: entry.answer, again })
    return again
  }

  async #untilAnswered(entry: JournalEntry, instance: number, abortAfterMs?: number): Promise<Answer> {
    for (let attempt = 0; attempt < attemptsMax; attempt++) {
      entry.attempts += 1
      const exchange = await this.#exchange(
        entry,
        this.target.urlFor(instance + attempt),
        attempt === 0 ? abortAfterMs : undefined,
      )
      if (exchange === 'network') {
        entry.networkFailures += 1
        this.stats.networkFailures += 1
        await this.target.afterNetworkFailure()
        continue
      }
      if (exchange.status === 503) {
        this.stats.serviceUnavailable += 1
        await new Promise((r) => setTimeout(r, overloadedPauseMs))
        continue
      }
      const answer = toAnswer(exchange.status, exchange.body)
      if (answer.kind === 'acknowledged') this.stats.acknowledged += 1
      if (answer.kind === 'refused') this.stats.refused += 1
      this.onAnswer(answer)
      return answer
    }
    throw new Error(`no definite answer for ${entry.key} after ${attemptsMax} attempts`)
  }

  async #exchange(
    entry: JournalEntry,
    baseUrl: string,
    abortAfterMs: number | undefined,
  ): Promise<{ status: number; body: string } | 'network'> {
    const controller = new AbortController()
    const timers = [setTimeout(() => controller.abort(), requestTimeoutMs)]
    if (abortAfterMs !== undefined) {
      timers.push(
        setTimeout(() => {
          this.stats.abortsInjected += 1
          controller.abort()
        }, abortAfterMs),
      )
    }
    this.stats.httpRequests += 1
    this.inFlight.set(entry.key, (this.inFlight.get(entry.key) ?? 0) + 1)
    try {
      const response = await fetch(`${baseUrl}${entry.path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${entry.accessToken}`,
          'idempotency-key': entry.key,
          ...(entry.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(entry.body === undefined ? {} : { body: JSON.stringify(entry.body) }),
        signal: controller.signal,
      })
      // The answer counts as heard only once its body has arrived in full.
      return { status: response.status, body: await response.text() }
    } catch {
      return 'network'
    } finally {
      const left = (this.inFlight.get(entry.key) ?? 1) - 1
      if (left) this.inFlight.set(entry.key, left)
      else this.inFlight.delete(entry.key)
      for (const timer of timers) clearTimeout(timer)
    }
  }
}

function toAnswer(status: number, body: string): Answer {
  const json = () => {
    try {
      return JSON.parse(body) as Record<string, unknown>
    } catch {
      return {}
    }
  }
  if (status === 200 || status === 201) return { kind: 'acknowledged', status, transfer: json() as Transfer }
  if (status === 422) return { kind: 'refused', status, code: String(json().code) }
  if (status === 409) return { kind: 'conflict', status, code: String(json().code) }
  return { kind: 'unexpected', status, body: body.slice(0, 500) }
}

/** A replay answers 200 with the very same transfer, or the very same refusal. */
function sameAnswer(first: Answer, again: Answer): boolean {
  if (first.kind === 'acknowledged')
    return (
      again.kind === 'acknowledged' &&
      again.status === 200 &&
      JSON.stringify(again.transfer) === JSON.stringify(first.transfer)
    )
  if (first.kind === 'refused') return again.kind === 'refused' && again.code === first.code
  return false
}

/** Minor units (scale 2) as the API writes amounts: 150n → "1.50". */
export function formatCents(cents: bigint): string {
  if (cents < 0n) return `-${formatCents(-cents)}`
  return `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`
}

/** The API's "-1.50" → -150n. */
export function parseCents(amount: string): bigint {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(amount)
  if (!match) throw new Error(`not an amount with two decimals: ${amount}`)
  const cents = BigInt(match[2]!) * 100n + BigInt(match[3]!)
  return match[1] ? -cents : cents
}
