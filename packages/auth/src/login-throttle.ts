/**
 * Counts failed logins per account and refuses further attempts on that account for a while once too many
 * failed in a window, whatever address they come from (the per-IP rate limit does not stop a botnet guessing
 * one member's password). A success clears the count. The state is this process's own: with several API
 * instances each one counts separately, so the effective limit is multiplied by the number of instances.
 */
export interface LoginThrottleOptions {
  /** Failed attempts allowed per account within `windowMs`. */
  failuresMax: number
  windowMs: number
  /** Accounts tracked at most; the oldest entry is dropped past it, so memory stays bounded. */
  accountsMax?: number
  now?: () => number
}

export const loginFailuresMaxDefault = 10
export const loginWindowMsDefault = 15 * 60_000
const accountsMaxDefault = 100_000

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>()
  readonly #options: Required<LoginThrottleOptions>

  constructor(options: LoginThrottleOptions) {
    this.#options = { accountsMax: accountsMaxDefault, now: Date.now, ...options }
  }

  /** Seconds to wait before this account may try again, or 0 when it may try now. */
  retryAfterSeconds(account: string): number {
    const recent = this.#recent(this.#key(account))
    if (recent.length < this.#options.failuresMax) return 0
    const oldest = recent[recent.length - this.#options.failuresMax]!
    return Math.max(1, Math.ceil((oldest + this.#options.windowMs - this.#options.now()) / 1000))
  }

  failed(account: string): void {
    const key = this.#key(account)
    const recent = this.#recent(key)
    recent.push(this.#options.now())
    // Re-inserting moves the key to the end of the map's order: the first key is the least recently failed.
    this.#failures.delete(key)
    this.#failures.set(key, recent.slice(-this.#options.failuresMax))
    if (this.#failures.size > this.#options.accountsMax) {
      const oldest = this.#failures.keys().next().value
      if (oldest !== undefined) this.#failures.delete(oldest)
    }
  }

  succeeded(account: string): void {
    this.#failures.delete(this.#key(account))
  }

  #key(account: string) {
    return account.trim().toLowerCase()
  }

  #recent(key: string): number[] {
    const since = this.#options.now() - this.#options.windowMs
    return (this.#failures.get(key) ?? []).filter((at) => at > since)
  }
}
