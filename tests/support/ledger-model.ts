import type { CommandOutcome, LedgerCommand, LedgerFailureCode, TransferType } from '@quartiere/ledger'

/**
 * An in-memory model of the ledger's rules, written from the rules rather than from the engine's code, so a
 * property test can compare the two command by command. It keeps what decides an outcome: each account's four
 * totals and limits, the holds and how they were resolved, and every idempotency key with what it was asked
 * and answered. Reversals are not modelled.
 */

export interface ModelAccount {
  id: string
  currency: string
  debitsPosted: bigint
  creditsPosted: bigint
  debitsPending: bigint
  creditsPending: bigint
  /** Null: no floor (the issuance account). */
  lowerLimit: bigint | null
  /** Null: no ceiling. */
  upperLimit: bigint | null
}

/** The fields of a transfer that the model predicts exactly. */
export interface ModelTransfer {
  id: string
  type: TransferType
  debitAccountId: string
  creditAccountId: string
  amount: bigint
  pendingId: string | null
  debitBalanceAfter: bigint
  creditBalanceAfter: bigint
}

/** An outcome as the model predicts it; the engine's outcomes are projected onto this shape (`observe`). */
export type ModelOutcome =
  | { ok: true; replayed: boolean; transfer: ModelTransfer }
  | { ok: false; replayed: boolean; code: LedgerFailureCode }

interface Hold {
  transfer: ModelTransfer
  /** Whether the hold was created with a timeout, i.e. whether time passing can expire it. */
  hasTimeout: boolean
  expired: boolean
  resolution: 'post_pending' | 'void_pending' | null
}

interface RequestRecord {
  fingerprint: string
  outcome: ModelOutcome
}

/** The totals of an account as the database stores them (int8 as decimal strings), for comparisons. */
export interface AccountTotals {
  debitsPosted: string
  creditsPosted: string
  debitsPending: string
  creditsPending: string
}

/**
 * What a command asks, without its key: the fields the engine's request hash covers, in a fixed order. Two
 * commands with one key are the same request exactly when these are equal (so `amount: null` on a post, "post
 * what was held", is a different request from the same amount spelled out).
 */
export function fingerprint(command: LedgerCommand): string {
  const fields =
    command.kind === 'create'
      ? [
          command.kind,
          command.debitAccountId,
          command.creditAccountId,
          command.amount.toString(),
          command.currency,
          command.pending,
          command.timeoutSeconds,
          command.memo,
          command.entityId,
          command.reversalOf,
          command.createdBy,
        ]
      : command.kind === 'post'
        ? [command.kind, command.pendingId, command.amount?.toString() ?? null, command.createdBy]
        : [command.kind, command.pendingId, command.memo, command.createdBy]
  return JSON.stringify(fields)
}

/** The engine's outcome reduced to what the model predicts. */
export function observe(outcome: CommandOutcome): ModelOutcome {
  if (!outcome.ok) return { ok: false, replayed: outcome.replayed, code: outcome.code }
  const t = outcome.transfer
  return {
    ok: true,
    replayed: outcome.replayed,
    transfer: {
      id: t.id,
      type: t.type,
      debitAccountId: t.debitAccountId,
      creditAccountId: t.creditAccountId,
      amount: t.amount,
      pendingId: t.pendingId,
      debitBalanceAfter: t.debitBalanceAfter,
      creditBalanceAfter: t.creditBalanceAfter,
    },
  }
}

/** JSON with bigints as strings: for comparing outcomes and printing them. */
export function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v))
}

const balance = (a: ModelAccount) => a.creditsPosted - a.debitsPosted

export class LedgerModel {
  readonly #accounts = new Map<string, ModelAccount>()
  readonly #holds = new Map<string, Hold>()
  readonly #requests = new Map<string, RequestRecord>()

  addAccount(account: ModelAccount): void {
    this.#accounts.set(account.id, { ...account })
  }

  totals(accountId: string): AccountTotals {
    const a = this.#accounts.get(accountId)
    if (!a) throw new Error(`the model has no account ${accountId}`)
    return {
      debitsPosted: a.debitsPosted.toString(),
      creditsPosted: a.creditsPosted.toString(),
      debitsPending: a.debitsPending.toString(),
      creditsPending: a.creditsPending.toString(),
    }
  }

  /**
   * How much the account can still pay before reaching its credit line (null: it has none), and how much it
   * can still receive before its ceiling (null: none). Generators aim amounts at these edges.
   */
  headroom(accountId: string): { below: bigint | null; above: bigint | null } {
    const a = this.#accounts.get(accountId)
    if (!a) throw new Error(`the model has no account ${accountId}`)
    return {
      below: a.lowerLimit === null ? null : balance(a) - a.debitsPending - a.lowerLimit,
      above: a.upperLimit === null ? null : a.upperLimit - balance(a) - a.creditsPending,
    }
  }

  /** A deep copy, to try a command order without committing to it. */
  clone(): LedgerModel {
    const copy = new LedgerModel()
    for (const [id, a] of this.#accounts) copy.#accounts.set(id, { ...a })
    for (const [id, h] of this.#holds) copy.#holds.set(id, { ...h })
    for (const [id, r] of this.#requests) copy.#requests.set(id, r)
    return copy
  }

  applyAll(commands: readonly LedgerCommand[]): ModelOutcome[] {
    return commands.map((c) => this.apply(c))
  }

  /**
   * One command, as the ledger must answer it: a key seen before answers from its record (the same outcome
   * again, or a conflict when the request differs); a new key is decided by the rules and recorded, refusals
   * included.
   */
  apply(command: LedgerCommand): ModelOutcome {
    const print = fingerprint(command)
    const earlier = this.#requests.get(command.id)
    if (earlier) {
      if (earlier.fingerprint !== print)
        return { ok: false, replayed: true, code: 'exists_with_different_fields' }
      return { ...earlier.outcome, replayed: true }
    }
    const outcome = command.kind === 'create' ? this.#create(command) : this.#resolve(command)
    this.#requests.set(command.id, { fingerprint: print, outcome })
    return outcome
  }

  /** Time passes beyond the hold's deadline (if it has one). Returns whether the model knows such a hold. */
  expire(holdId: string): boolean {
    const hold = this.#holds.get(holdId)
    if (!hold?.hasTimeout) return false
    hold.expired = true
    return true
  }

  /** Holds past their deadline and still open: what an expiry sweep must void. */
  expiredOpenHolds(): string[] {
    return [...this.#holds.entries()].filter(([, h]) => h.expired && h.resolution === null).map(([id]) => id)
  }

  #create(command: Extract<LedgerCommand, { kind: 'create' }>): ModelOutcome {
    const refuse = (code: LedgerFailureCode): ModelOutcome => ({ ok: false, replayed: false, code })
    if (command.reversalOf !== null) throw new Error('the model does not cover reversals')
    if (command.debitAccountId === command.creditAccountId) return refuse('accounts_must_be_different')
    const debit = this.#accounts.get(command.debitAccountId)
    const credit = this.#accounts.get(command.creditAccountId)
    if (!debit || !credit) return refuse('account_not_found')
    if (debit.currency !== command.currency || credit.currency !== command.currency) {
      return refuse('currency_mismatch')
    }
    const amount = command.amount
    // What the payer has to spend is its posted balance less what it has promised in holds; what it has on
    // the way in does not count until posted.
    const available = balance(debit) - debit.debitsPending
    if (debit.lowerLimit !== null && available - amount < debit.lowerLimit)
      return refuse('exceeds_credit_limit')
    // The receiver's ceiling counts what may still arrive, so posting an open hold can never break it.
    if (credit.upperLimit !== null && balance(credit) + credit.creditsPending + amount > credit.upperLimit) {
      return refuse('exceeds_upper_limit')
    }
    if (command.pending) {
      debit.debitsPending += amount
      credit.creditsPending += amount
    } else {
      debit.debitsPosted += amount
      credit.creditsPosted += amount
    }
    const transfer: ModelTransfer = {
      id: command.id,
      type: command.pending ? 'pending' : 'posted',
      debitAccountId: debit.id,
      creditAccountId: credit.id,
      amount,
      pendingId: null,
      debitBalanceAfter: balance(debit),
      creditBalanceAfter: balance(credit),
    }
    if (command.pending) {
      this.#holds.set(command.id, {
        transfer,
        hasTimeout: Boolean(command.timeoutSeconds),
        expired: false,
        resolution: null,
      })
    }
    return { ok: true, replayed: false, transfer }
  }

  #resolve(command: Extract<LedgerCommand, { kind: 'post' | 'void' }>): ModelOutcome {
    const refuse = (code: LedgerFailureCode): ModelOutcome => ({ ok: false, replayed: false, code })
    const hold = this.#holds.get(command.pendingId)
    if (!hold) return refuse('pending_not_found')
    if (hold.resolution !== null) return refuse('pending_already_resolved')
    // Expiry forbids posting only: voiding is how an expired hold is released.
    if (hold.expired && command.kind === 'post') return refuse('pending_expired')
    const held = hold.transfer.amount
    const amount = command.kind === 'post' ? (command.amount ?? held) : held
    if (amount > held) return refuse('exceeds_pending_amount')
    const debit = this.#accounts.get(hold.transfer.debitAccountId)!
    const credit = this.#accounts.get(hold.transfer.creditAccountId)!
    // The whole hold is released whatever is posted: posting less gives the rest back.
    debit.debitsPending -= held
    credit.creditsPending -= held
    if (command.kind === 'post') {
      debit.debitsPosted += amount
      credit.creditsPosted += amount
    }
    const type = command.kind === 'post' ? 'post_pending' : 'void_pending'
    hold.resolution = type
    return {
      ok: true,
      replayed: false,
      transfer: {
        id: command.id,
        type,
        debitAccountId: debit.id,
        creditAccountId: credit.id,
        amount,
        pendingId: hold.transfer.id,
        debitBalanceAfter: balance(debit),
        creditBalanceAfter: balance(credit),
      },
    }
  }
}

/**
 * Commands that ran concurrently may have taken effect in any order. Finds an order in which the model gives
 * exactly the observed outcomes and ends in `accept`ed totals, and returns the model after it (or null when
 * no order explains what was observed). Depth-first with pruning: a branch ends at the first outcome that
 * differs, so the search stays small for the few commands of one submission.
 */
export function findSerialOrder(
  model: LedgerModel,
  commands: readonly LedgerCommand[],
  observed: readonly ModelOutcome[],
  accept: (model: LedgerModel) => boolean,
): { order: number[]; model: LedgerModel } | null {
  const observedText = observed.map(stringify)
  const search = (state: LedgerModel, order: number[]): { order: number[]; model: LedgerModel } | null => {
    if (order.length === commands.length) return accept(state) ? { order, model: state } : null
    for (let i = 0; i < commands.length; i++) {
      if (order.includes(i)) continue
      const next = state.clone()
      if (stringify(next.apply(commands[i]!)) !== observedText[i]) continue
      const found = search(next, [...order, i])
      if (found) return found
    }
    return null
  }
  return search(model, [])
}
