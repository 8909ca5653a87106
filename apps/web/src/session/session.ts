import type { AuthTokens, User } from '@quartiere/contracts'
import type { ApiClient, TokenSource } from '../api/client'
import { ApiProblem } from '../api/problem'
import { forgetCachedData } from './forget-cached-data'

/** What the session keeps between page loads. */
export interface StoredSession {
  user: User
  accessToken: string
  accessTokenExpiresAt: string
  refreshToken: string
  refreshTokenExpiresAt: string
}

export interface KeyValueStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/** Refresh this long before the access token expires, so a request never races its expiry. */
export const refreshLeadMs = 60_000
/** Never schedule refreshes closer together than this, whatever the clock says. */
const refreshIntervalMinMs = 5_000
const storageKey = 'quartiere.session'
const lockName = 'quartiere.session.refresh'

type Listener = () => void

/**
 * The signed-in member and their tokens. Refreshes are serialised: the server spends a refresh token on use and
 * treats a second use as theft (revoking the whole login), so one refresh is in flight per tab at most, and tabs
 * take a Web Lock and re-read storage before refreshing, picking up a pair another tab just obtained.
 */
export class SessionStore implements TokenSource {
  private session: StoredSession | null
  private inFlight: Promise<string | null> | null = null
  private timer: ReturnType<typeof setTimeout> | undefined
  private readonly listeners = new Set<Listener>()
  private api: ApiClient | undefined

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly now: () => number = Date.now,
  ) {
    this.session = this.read()
  }

  /** The API client is built with this store as its token source, then attached here (they need each other). */
  attach(api: ApiClient) {
    this.api = api
    this.schedule()
  }

  subscribe = (listener: Listener) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The signed-in user, or null. Stable between changes (for useSyncExternalStore). */
  user = (): User | null => this.session?.user ?? null

  signIn(tokens: AuthTokens) {
    this.write(tokens)
  }

  async signOut(): Promise<void> {
    const refreshToken = this.session?.refreshToken
    this.write(null)
    if (refreshToken && this.api) {
      // Revoking on the server is best effort: the local session is gone either way.
      await this.api.logout(refreshToken).catch(() => undefined)
    }
  }

  /** Another tab changed the stored session (signed in, out, or refreshed): adopt it. */
  adoptStored() {
    const stored = this.read()
    if (stored?.refreshToken === this.session?.refreshToken) return
    this.session = stored
    this.schedule()
    this.emit()
  }

  async accessToken(): Promise<string | null> {
    const session = this.session
    if (!session) return null
    return usableAccessToken(session, this.now()) ?? this.refresh()
  }

  async refreshAfterUnauthorized(rejected: string): Promise<string | null> {
    if (this.session && this.session.accessToken !== rejected) return this.session.accessToken
    return this.refresh()
  }

  /** One refresh at a time in this tab; concurrent callers share its result. */
  refresh(): Promise<string | null> {
    if (!this.inFlight) {
      this.inFlight = this.refreshExclusively().finally(() => {
        this.inFlight = null
      })
    }
    return this.inFlight
  }

  private async refreshExclusively(): Promise<string | null> {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks
    if (!locks) return this.refreshOnce()
    return locks.request(lockName, () => this.refreshOnce())
  }

  private async refreshOnce(): Promise<string | null> {
    const before = this.session
    const stored = this.read()
    // Another tab refreshed while we waited for the lock: its pair is ours too.
    if (stored && before && stored.refreshToken !== before.refreshToken) {
      this.session = stored
      this.schedule()
      this.emit()
      return stored.accessToken
    }
    if (!before || !this.api) return null
    try {
      const tokens = await this.api.refresh(before.refreshToken)
      this.write(tokens)
      return tokens.accessToken
    } catch (error) {
      // Spent, reused or expired: this login is over. A network error keeps the session for a later try.
      if (error instanceof ApiProblem && error.status === 401) this.write(null)
      return null
    }
  }

  private schedule() {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    const session = this.session
    if (!session || !this.api) return
    const due = Date.parse(session.accessTokenExpiresAt) - refreshLeadMs - this.now()
    this.timer = setTimeout(
      () => {
        void this.refresh()
      },
      Math.max(refreshIntervalMinMs, due),
    )
  }

  private read(): StoredSession | null {
    return readStoredSession(this.storage, this.now())
  }

  private write(tokens: StoredSession | null) {
    // Signed out (or the login ended): what the member's map answers left on this device goes too.
    if (this.session && !tokens) forgetCachedData()
    this.session = tokens
      ? {
          user: tokens.user,
          accessToken: tokens.accessToken,
          accessTokenExpiresAt: tokens.accessTokenExpiresAt,
          refreshToken: tokens.refreshToken,
          refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
        }
      : null
    if (this.session) this.storage.setItem(storageKey, JSON.stringify(this.session))
    else this.storage.removeItem(storageKey)
    this.schedule()
    this.emit()
  }

  private emit() {
    for (const listener of this.listeners) listener()
  }
}

/** The session kept in storage, or null when there is none, it is unreadable or its login has expired. */
export function readStoredSession(
  storage: Pick<KeyValueStorage, 'getItem'>,
  now: number,
): StoredSession | null {
  try {
    const text = storage.getItem(storageKey)
    if (!text) return null
    const parsed = JSON.parse(text) as StoredSession
    if (Date.parse(parsed.refreshTokenExpiresAt) <= now) return null
    return parsed
  } catch {
    return null
  }
}

/** The session's access token while it has long enough to live to be sent as it is; null: refresh it first. */
export function usableAccessToken(session: StoredSession, now: number): string | null {
  return Date.parse(session.accessTokenExpiresAt) - now > refreshLeadMs / 2 ? session.accessToken : null
}

/** localStorage, or a memory stand-in where the browser refuses it (some private modes). */
export function browserStorage(): KeyValueStorage {
  try {
    const probe = '__quartiere_probe__'
    window.localStorage.setItem(probe, probe)
    window.localStorage.removeItem(probe)
    return window.localStorage
  } catch {
    return memoryStorage()
  }
}

/** Storage for tests and for browsers that refuse localStorage (private modes): the session lasts the tab. */
export function memoryStorage(): KeyValueStorage {
  const values = new Map<string, string>()
  return {
    getItem: (key) => values.get(key) ?? null,
    setItem: (key, value) => void values.set(key, value),
    removeItem: (key) => void values.delete(key),
  }
}

export const sessionStorageKey = storageKey
