import { createECDH, randomBytes, randomUUID } from 'node:crypto'
import { unsubscribeTokenOf } from '@quartiere/digests'
import { point, validEntityByKind } from '../support/fixtures'
import { nextMailTo } from '../support/smtp-server'
import { testPassword } from '../support/test-app'
import type { Role, World } from './world'

/**
 * What each role may do on each route of the API. The authorization matrix test sends every entry's request as
 * every role and checks the class of the answer; a route the app has that this table lacks fails the test, and
 * so does an entry for a route the app no longer has.
 *
 * - `ok`: allowed (2xx, or 304).
 * - 401: must sign in. 403: signed in but not allowed. 404: not yours, answered as absent.
 * - 409 / 422: allowed to ask, refused for a business reason (e.g. backing your own campaign).
 * - `same`: no data and no access control (the web client's files): every role gets the same answer.
 */
export type Expected = 'ok' | 'same' | 401 | 403 | 404 | 409 | 422

export interface Attempt {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE' | 'OPTIONS'
  url: string
  payload?: unknown
  headers?: Record<string, string>
}

export interface RouteEntry {
  method: string
  url: string
  expect: Record<Role, Expected>
  /**
   * The request one role sends. It may make a fresh target first, so that one role's success (a delete, a
   * confirmation) does not change what the next role finds.
   */
  request(w: World, role: Role): Promise<Attempt> | Attempt
  /** Present only when the web client is built. */
  webClient?: boolean
  /** The websocket endpoint: checked by the feed tests of the matrix file, not by an HTTP request. */
  websocket?: boolean
  /**
   * The route acts on the caller's own data only (mark read, follow, change my password): allowed to all, and
   * the member's rows must not change when anyone else calls it.
   */
  selfScoped?: boolean
  /** Each role calls as a user of that role signed up for the call: the call uses up its caller. */
  freshActor?: boolean
  /** Ids of the member's (or the peer's) that must not appear in what these roles are answered. */
  mustNotShow?: { ids(w: World): string[]; to: Role[] }
}

/** Expectations in the order of `roles`: anonymous, member, other, manager, moderator, researcher, admin. */
function by(
  anonymous: Expected,
  member: Expected,
  other: Expected,
  manager: Expected,
  moderator: Expected,
  researcher: Expected,
  admin: Expected,
): Record<Role, Expected> {
  return { anonymous, member, other, manager, moderator, researcher, admin }
}
const everyone = by('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok')
const signedIn = by(401, 'ok', 'ok', 'ok', 'ok', 'ok', 'ok')
/** Only the member (who owns it) and an admin; everyone else is told it does not exist. */
const ownerOrAdminHidden = by(401, 'ok', 404, 404, 404, 404, 'ok')
const ownerOnlyHidden = by(401, 'ok', 404, 404, 404, 404, 404)
/** The member, the group's manager, moderators and admins may edit a thing in the group. */
const editors = by(401, 'ok', 403, 'ok', 'ok', 403, 'ok')
const moderators = by(401, 403, 403, 403, 'ok', 403, 'ok')
const adminOnly = by(401, 403, 403, 403, 403, 403, 'ok')
/** The group's owner (the member) and its manager. */
const groupManagers = by(401, 'ok', 403, 'ok', 403, 403, 403)
/** A group's members and requests: its owner and managers, and the platform's moderators and admins. */
const groupGovernors = by(401, 'ok', 403, 'ok', 'ok', 403, 'ok')

/** Everyone but the member. */
const strangers: Role[] = ['anonymous', 'other', 'manager', 'moderator', 'researcher', 'admin']

const get = (url: string): Attempt => ({ method: 'GET', url })
const key = () => ({ 'idempotency-key': randomUUID() })

export const routeTable: RouteEntry[] = [
  // ------------------------------------------------------------------------------------------ meta
  {
    // CORS preflights (closed by default): no data, and the same answer whoever asks.
    method: 'OPTIONS',
    url: '*',
    expect: by('same', 'same', 'same', 'same', 'same', 'same', 'same'),
    request: () => ({
      method: 'OPTIONS',
      url: '/api/entities',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    }),
  },
  { method: 'GET', url: '/health', expect: everyone, request: () => get('/health') },
  { method: 'GET', url: '/openapi.json', expect: everyone, request: () => get('/openapi.json') },
  {
    method: 'GET',
    url: '/ws',
    websocket: true,
    expect: everyone,
    request: () => get('/ws'),
  },
  {
    method: 'GET',
    url: '/',
    expect: by('same', 'same', 'same', 'same', 'same', 'same', 'same'),
    request: () => ({ method: 'GET', url: '/', headers: { accept: 'text/html' } }),
  },
  {
    method: 'GET',
    url: '/*',
    webClient: true,
    expect: by('same', 'same', 'same', 'same', 'same', 'same', 'same'),
    request: () => ({ method: 'GET', url: '/wallet', headers: { accept: 'text/html' } }),
  },
  {
    method: 'GET',
    url: '/assets/*',
    webClient: true,
    expect: by('same', 'same', 'same', 'same', 'same', 'same', 'same'),
    request: () => get('/assets/missing.js'),
  },
  // The installable app (issue #21): the service worker, the manifest and the icons.
  ...['/sw.js', '/manifest.webmanifest', '/icons/:name'].map((url) => ({
    method: 'GET',
    url,
    webClient: true,
    expect: by('same', 'same', 'same', 'same', 'same', 'same', 'same'),
    request: () => get(url.replace(':name', 'icon-192.png')),
  })),

  // ------------------------------------------------------------------------------------------ accounts
  {
    method: 'POST',
    url: '/api/auth/register',
    expect: everyone,
    request: () => ({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: `new.${randomUUID()}@example.org`, password: testPassword, displayName: 'Nuova' },
    }),
  },
  {
    method: 'POST',
    url: '/api/auth/login',
    expect: everyone,
    request: (w) => ({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: w.emails.peer, password: testPassword },
    }),
  },
  {
    method: 'POST',
    url: '/api/auth/refresh',
    expect: everyone,
    request: async (w) => {
      const login = await w.ok('anonymous', 'POST', '/api/auth/login', {
        email: w.emails.peer,
        password: testPassword,
      })
      return { method: 'POST', url: '/api/auth/refresh', payload: { refreshToken: login.refreshToken } }
    },
  },
  {
    method: 'POST',
    url: '/api/auth/logout',
    expect: everyone,
    request: async (w) => {
      const login = await w.ok('anonymous', 'POST', '/api/auth/login', {
        email: w.emails.peer,
        password: testPassword,
      })
      return { method: 'POST', url: '/api/auth/logout', payload: { refreshToken: login.refreshToken } }
    },
  },
  {
    method: 'POST',
    url: '/api/auth/password-reset',
    expect: everyone,
    request: () => ({
      method: 'POST',
      url: '/api/auth/password-reset',
      payload: { email: `reset.${randomUUID()}@example.org` },
    }),
  },
  {
    method: 'POST',
    url: '/api/auth/password-reset/confirm',
    expect: everyone,
    request: async (w) => {
      // A fresh member's own reset link, read from the message sent to them (after the confirmation link).
      const { user } = await w.t.signUp()
      await w.ok('anonymous', 'POST', '/api/auth/password-reset', { email: user.email })
      const message = await nextMailTo(w.t.mail, user.email, { seen: 1 })
      const token = new URL(message.links[0]!).searchParams.get('token')
      return {
        method: 'POST',
        url: '/api/auth/password-reset/confirm',
        payload: { token, password: 'another long passphrase' },
      }
    },
  },
  {
    method: 'POST',
    url: '/api/auth/verify-email',
    expect: everyone,
    request: async (w) => {
      const { user } = await w.t.signUp({ unverified: true })
      const message = await nextMailTo(w.t.mail, user.email)
      const token = new URL(message.links[0]!).searchParams.get('token')
      return { method: 'POST', url: '/api/auth/verify-email', payload: { token } }
    },
  },
  {
    method: 'POST',
    url: '/api/me/email-verification',
    // Everyone of the matrix confirmed their address: asking again is refused for that reason alone.
    expect: by(401, 409, 409, 409, 409, 409, 409),
    request: () => ({ method: 'POST', url: '/api/me/email-verification' }),
  },
  {
    method: 'POST',
    url: '/api/me/password',
    expect: signedIn,
    freshActor: true,
    request: () => ({
      method: 'POST',
      url: '/api/me/password',
      payload: { currentPassword: testPassword, newPassword: 'another long passphrase' },
    }),
  },
  {
    method: 'GET',
    url: '/api/me',
    expect: signedIn,
    mustNotShow: { ids: (w) => [w.tokens.member.user.id, w.emails.member], to: strangers },
    request: () => get('/api/me'),
  },
  {
    method: 'GET',
    url: '/api/me/export',
    expect: signedIn,
    // A manager's export carries the notifications of the group's mints, which name who minted (the member):
    // ids are shared with whoever hears the event; an email never is.
    mustNotShow: { ids: (w) => [w.emails.member], to: strangers },
    selfScoped: true,
    request: () => get('/api/me/export'),
  },
  {
    method: 'DELETE',
    url: '/api/me',
    expect: signedIn,
    freshActor: true,
    request: () => ({ method: 'DELETE', url: '/api/me', payload: { password: testPassword } }),
  },
  {
    method: 'PATCH',
    url: '/api/me',
    expect: signedIn,
    freshActor: true,
    request: () => ({ method: 'PATCH', url: '/api/me', payload: { locale: 'en' } }),
  },
  {
    method: 'DELETE',
    url: '/api/me/sessions',
    expect: signedIn,
    freshActor: true,
    request: () => ({ method: 'DELETE', url: '/api/me/sessions' }),
  },
  {
    method: 'GET',
    url: '/api/me/posts',
    expect: signedIn,
    mustNotShow: { ids: (w) => [w.emails.member], to: strangers },
    request: () => get('/api/me/posts'),
  },
  {
    method: 'GET',
    url: '/api/members',
    expect: signedIn,
    request: () => get('/api/members?q=mara'),
  },
  {
    method: 'GET',
    url: '/api/me/email-preferences',
    expect: signedIn,
    selfScoped: true,
    request: () => get('/api/me/email-preferences'),
  },
  {
    method: 'PATCH',
    url: '/api/me/email-preferences',
    expect: signedIn,
    selfScoped: true,
    request: () => ({
      method: 'PATCH',
      url: '/api/me/email-preferences',
      payload: { digestFrequency: 'daily' },
    }),
  },
  {
    method: 'POST',
    url: '/api/me/email-preferences/resume',
    expect: signedIn,
    selfScoped: true,
    request: () => ({ method: 'POST', url: '/api/me/email-preferences/resume' }),
  },
  {
    // One-click unsubscribe: no sign-in, the link's token is the proof, whoever holds it (a mail program).
    method: 'POST',
    url: '/unsubscribe',
    expect: everyone,
    request: async (w) => ({
      method: 'POST',
      url: `/unsubscribe?id=${await unsubscribeTokenOf(w.t.database.db, w.tokens.peer.user.id)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    }),
  },

  // ------------------------------------------------------------------------------------------ map
  {
    method: 'GET',
    url: '/api/entities',
    expect: everyone,
    request: () => get('/api/entities?bbox=7.5,44.9,7.8,45.2'),
  },
  {
    method: 'POST',
    url: '/api/entities',
    expect: signedIn,
    request: () => ({ method: 'POST', url: '/api/entities', payload: validEntityByKind.space }),
  },
  {
    method: 'GET',
    url: '/api/entities/:id',
    expect: everyone,
    request: (w) => get(`/api/entities/${w.ids.entity}`),
  },
  {
    method: 'PATCH',
    url: '/api/entities/:id',
    expect: editors,
    request: async (w) => ({
      method: 'PATCH',
      url: `/api/entities/${w.ids.entity}`,
      payload: { title: 'Casa del Quartiere (nuovo nome)' },
      headers: { 'if-match': await w.currentVersion(`/api/entities/${w.ids.entity}`) },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/entities/:id',
    expect: editors,
    request: async (w) => ({ method: 'DELETE', url: `/api/entities/${await w.fresh.entity()}` }),
  },

  // ------------------------------------------------------------------------------------------ admin
  {
    // A fresh member is the target each time, so an admin's success changes nobody of the world.
    method: 'PUT',
    url: '/api/admin/users/:id/role',
    expect: adminOnly,
    request: async (w) => ({
      method: 'PUT',
      url: `/api/admin/users/${await w.fresh.user()}/role`,
      payload: { role: 'moderator' },
    }),
  },
  {
    method: 'GET',
    url: '/api/admin/role-changes',
    expect: adminOnly,
    request: () => get('/api/admin/role-changes'),
  },
  {
    // The organisers' dashboard: aggregates of everyone's activity, for admins.
    method: 'GET',
    url: '/api/admin/dashboard',
    expect: adminOnly,
    request: () => get('/api/admin/dashboard?from=2026-01&to=2026-12'),
  },

  // ------------------------------------------------------------------------------------------ ledger
  {
    method: 'GET',
    url: '/api/ledger/accounts',
    expect: signedIn,
    mustNotShow: { ids: (w) => [w.ids.memberAccount, w.ids.memberCurrencyAccount], to: strangers },
    request: () => get('/api/ledger/accounts'),
  },
  {
    method: 'GET',
    url: '/api/ledger/accounts/:id',
    expect: ownerOrAdminHidden,
    request: (w) => get(`/api/ledger/accounts/${w.ids.memberAccount}`),
  },
  {
    method: 'PATCH',
    url: '/api/ledger/accounts/:id/limits',
    expect: adminOnly,
    request: (w) => ({
      method: 'PATCH',
      url: `/api/ledger/accounts/${w.ids.memberAccount}/limits`,
      payload: { lowerLimit: '-10.00', upperLimit: null },
    }),
  },
  {
    // A member's accounts, for the admin who changes their limits.
    method: 'GET',
    url: '/api/ledger/members/:id/accounts',
    expect: adminOnly,
    request: (w) => get(`/api/ledger/members/${w.tokens.member.user.id}/accounts`),
  },
  {
    method: 'GET',
    url: '/api/ledger/accounts/:id/transfers',
    expect: ownerOrAdminHidden,
    request: (w) => get(`/api/ledger/accounts/${w.ids.memberAccount}/transfers`),
  },
  {
    // Paying from the member's account: only the member.
    method: 'POST',
    url: '/api/ledger/transfers',
    expect: by(401, 'ok', 403, 403, 403, 403, 403),
    request: (w) => ({
      method: 'POST',
      url: '/api/ledger/transfers',
      payload: { from: w.ids.memberAccount, to: { userId: w.tokens.peer.user.id }, amount: '0.01' },
      headers: key(),
    }),
  },
  {
    method: 'GET',
    url: '/api/ledger/transfers/:id',
    expect: ownerOrAdminHidden,
    request: (w) => get(`/api/ledger/transfers/${w.ids.transfer}`),
  },
  {
    method: 'POST',
    url: '/api/ledger/transfers/:id/post',
    expect: ownerOrAdminHidden,
    request: async (w) => ({
      method: 'POST',
      url: `/api/ledger/transfers/${await w.fresh.hold()}/post`,
      payload: {},
    }),
  },
  {
    method: 'POST',
    url: '/api/ledger/transfers/:id/void',
    expect: ownerOrAdminHidden,
    request: async (w) => ({ method: 'POST', url: `/api/ledger/transfers/${await w.fresh.hold()}/void` }),
  },
  {
    method: 'POST',
    url: '/api/ledger/issuance',
    expect: adminOnly,
    request: (w) => ({
      method: 'POST',
      url: '/api/ledger/issuance',
      payload: { to: { userId: w.tokens.peer.user.id }, amount: '1.00', memo: 'benvenuto' },
      headers: key(),
    }),
  },
  {
    // Anyone signed in may ask for the peer's offer; each holds their own hours.
    method: 'POST',
    url: '/api/entities/:id/exchanges',
    expect: signedIn,
    request: (w) => ({
      method: 'POST',
      url: `/api/entities/${w.ids.peerOffer}/exchanges`,
      payload: { hours: '0.10' },
    }),
  },
  {
    method: 'GET',
    url: '/api/ledger/exchanges',
    expect: signedIn,
    mustNotShow: { ids: (w) => [w.ids.exchange], to: strangers },
    request: () => get('/api/ledger/exchanges'),
  },
  {
    method: 'POST',
    url: '/api/ledger/exchanges/:id/confirm',
    expect: ownerOnlyHidden,
    request: async (w) => ({
      method: 'POST',
      url: `/api/ledger/exchanges/${await w.fresh.exchange()}/confirm`,
      payload: {},
    }),
  },
  {
    method: 'POST',
    url: '/api/ledger/exchanges/:id/cancel',
    expect: ownerOnlyHidden,
    request: async (w) => ({
      method: 'POST',
      url: `/api/ledger/exchanges/${await w.fresh.exchange()}/cancel`,
    }),
  },

  // ------------------------------------------------------------------------------------------ currencies
  {
    method: 'POST',
    url: '/api/ledger/currencies',
    expect: groupManagers,
    request: (w) => ({
      method: 'POST',
      url: '/api/ledger/currencies',
      payload: {
        code: `X${randomUUID()
          .replace(/[^A-Z]/gi, '')
          .slice(0, 6)
          .toUpperCase()}`,
        name: 'Moneta',
        kind: 'coin',
        issuerGroupId: w.ids.group,
        terms: 'Terms.',
      },
    }),
  },
  {
    method: 'GET',
    url: '/api/ledger/currencies',
    expect: everyone,
    request: () => get('/api/ledger/currencies'),
  },
  {
    method: 'GET',
    url: '/api/ledger/currencies/:code',
    expect: everyone,
    request: (w) => get(`/api/ledger/currencies/${w.ids.currency}`),
  },
  {
    method: 'GET',
    url: '/api/ledger/currencies/:code/terms',
    expect: everyone,
    request: (w) => get(`/api/ledger/currencies/${w.ids.currency}/terms`),
  },
  {
    // The groups one may issue for: every signed-in member asks about themselves.
    method: 'GET',
    url: '/api/ledger/currencies/issuing-groups',
    expect: signedIn,
    request: () => get('/api/ledger/currencies/issuing-groups'),
  },
  {
    // The holders' accounts: the issuing group's owners and managers.
    method: 'GET',
    url: '/api/ledger/currencies/:code/holders',
    expect: groupManagers,
    request: (w) => get(`/api/ledger/currencies/${w.ids.currency}/holders`),
  },
  {
    method: 'POST',
    url: '/api/ledger/currencies/:code/mint',
    expect: groupManagers,
    request: (w) => ({
      method: 'POST',
      url: `/api/ledger/currencies/${w.ids.currency}/mint`,
      payload: { to: { userId: w.tokens.peer.user.id }, amount: '1', memo: 'Mint' },
      headers: key(),
    }),
  },
  {
    // Redeeming from the member's account: only the member.
    method: 'POST',
    url: '/api/ledger/currencies/:code/redemptions',
    expect: by(401, 'ok', 403, 403, 403, 403, 403),
    request: (w) => ({
      method: 'POST',
      url: `/api/ledger/currencies/${w.ids.currency}/redemptions`,
      payload: { amount: '1', from: w.ids.memberCurrencyAccount },
      headers: key(),
    }),
  },
  {
    // Transfer caps: the issuing group's owners and managers, and admins.
    method: 'PUT',
    url: '/api/ledger/currencies/:code/caps',
    expect: by(401, 'ok', 403, 'ok', 403, 403, 'ok'),
    request: (w) => ({
      method: 'PUT',
      url: `/api/ledger/currencies/${w.ids.currency}/caps`,
      payload: { transferAmountMax: null, dailyAmountMax: null, dailyTransfersMax: null },
    }),
  },
  {
    method: 'PUT',
    url: '/api/ledger/currencies/:code/accounts/:accountId/credit-line',
    expect: groupManagers,
    request: (w) => ({
      method: 'PUT',
      url: `/api/ledger/currencies/${w.ids.currency}/accounts/${w.ids.peerCurrencyAccount}/credit-line`,
      payload: { creditLine: '0' },
    }),
  },

  // ------------------------------------------------------------------------------------------ campaigns
  {
    // On the member's project: who may edit it (its author, moderators, admins) opens a campaign on it.
    method: 'POST',
    url: '/api/campaigns',
    expect: by(401, 'ok', 403, 403, 'ok', 403, 'ok'),
    request: (w) => ({
      method: 'POST',
      url: '/api/campaigns',
      payload: {
        entityId: w.ids.project,
        title: 'Altre panchine',
        acceptCurrency: 'TIME',
        giveCurrency: w.ids.currency,
        ratio: { accept: '1.00', give: '1' },
        cap: '5.00',
        endsAt: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
      },
      headers: key(),
    }),
  },
  { method: 'GET', url: '/api/campaigns', expect: everyone, request: () => get('/api/campaigns') },
  {
    method: 'GET',
    url: '/api/campaigns/:id',
    expect: everyone,
    request: (w) => get(`/api/campaigns/${w.ids.campaign}`),
  },
  {
    method: 'POST',
    url: '/api/campaigns/:id/deposit',
    expect: by(401, 'ok', 403, 403, 403, 403, 403),
    request: async (w) => ({
      method: 'POST',
      url: `/api/campaigns/${await w.fresh.campaign({ deposit: false })}/deposit`,
    }),
  },
  {
    // Backing the member's campaign: anyone signed in but the member.
    method: 'POST',
    url: '/api/campaigns/:id/pledges',
    expect: by(401, 422, 'ok', 'ok', 'ok', 'ok', 'ok'),
    request: (w) => ({
      method: 'POST',
      url: `/api/campaigns/${w.ids.campaign}/pledges`,
      payload: { amount: '1.00' },
      headers: key(),
    }),
  },
  {
    // Everyone signed in gets a list; only the owner sees others' pledges (checked on the bodies below).
    method: 'GET',
    url: '/api/campaigns/:id/pledges',
    expect: signedIn,
    // Admins see every pledge, as they see every account.
    mustNotShow: { ids: (w) => [w.ids.peerPledge, w.tokens.peer.user.id], to: strangers.slice(0, -1) },
    request: (w) => get(`/api/campaigns/${w.ids.campaign}/pledges`),
  },
  {
    method: 'POST',
    url: '/api/campaigns/:id/pledges/:pledgeId/withdraw',
    expect: ownerOnlyHidden,
    request: async (w) => ({
      method: 'POST',
      url: `/api/campaigns/${w.ids.peerCampaign}/pledges/${await w.fresh.pledge()}/withdraw`,
    }),
  },
  {
    method: 'POST',
    url: '/api/campaigns/:id/stop',
    expect: by(401, 'ok', 403, 403, 403, 403, 403),
    request: async (w) => ({ method: 'POST', url: `/api/campaigns/${await w.fresh.campaign()}/stop` }),
  },

  // ------------------------------------------------------------------------------------------ threads
  {
    method: 'GET',
    url: '/api/entities/:id/posts',
    expect: everyone,
    request: (w) => get(`/api/entities/${w.ids.entity}/posts`),
  },
  {
    method: 'POST',
    url: '/api/entities/:id/posts',
    expect: signedIn,
    request: (w) => ({
      method: 'POST',
      url: `/api/entities/${w.ids.entity}/posts`,
      payload: { body: 'Ciao' },
    }),
  },
  { method: 'GET', url: '/api/posts/:id', expect: everyone, request: (w) => get(`/api/posts/${w.ids.post}`) },
  {
    method: 'PATCH',
    url: '/api/posts/:id',
    expect: by(401, 'ok', 403, 403, 403, 403, 403),
    request: async (w) => ({
      method: 'PATCH',
      url: `/api/posts/${w.ids.post}`,
      payload: { body: 'Ci vediamo in cortile alle 18' },
      headers: { 'if-match': await w.currentVersion(`/api/posts/${w.ids.post}`) },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/posts/:id',
    expect: by(401, 'ok', 403, 'ok', 'ok', 403, 'ok'),
    request: async (w) => ({ method: 'DELETE', url: `/api/posts/${await w.fresh.post()}` }),
  },
  {
    method: 'GET',
    url: '/api/posts/:id/comments',
    expect: everyone,
    request: (w) => get(`/api/posts/${w.ids.post}/comments`),
  },
  {
    method: 'POST',
    url: '/api/posts/:id/comments',
    expect: signedIn,
    request: (w) => ({ method: 'POST', url: `/api/posts/${w.ids.post}/comments`, payload: { body: 'Bene' } }),
  },
  {
    method: 'PATCH',
    url: '/api/comments/:id',
    expect: by(401, 'ok', 403, 403, 403, 403, 403),
    request: async (w) => {
      const { version } = await w.t.database.db
        .selectFrom('comments')
        .select('version')
        .where('id', '=', w.ids.comment)
        .executeTakeFirstOrThrow()
      return {
        method: 'PATCH',
        url: `/api/comments/${w.ids.comment}`,
        payload: { body: 'Porto le sedie e il tavolo' },
        headers: { 'if-match': `"${version}"` },
      }
    },
  },
  {
    method: 'DELETE',
    url: '/api/comments/:id',
    expect: by(401, 'ok', 403, 'ok', 'ok', 403, 'ok'),
    request: async (w) => ({ method: 'DELETE', url: `/api/comments/${await w.fresh.comment()}` }),
  },

  // ------------------------------------------------------------------------------------------ groups
  {
    method: 'GET',
    url: '/api/entities/:id/members',
    expect: everyone,
    request: (w) => get(`/api/entities/${w.ids.group}/members`),
  },
  {
    // Joining the member's closed group is asking to join: anyone signed in may ask.
    method: 'POST',
    url: '/api/entities/:id/members',
    expect: by(401, 409, 'ok', 409, 'ok', 'ok', 'ok'),
    selfScoped: true,
    request: (w) => ({ method: 'POST', url: `/api/entities/${w.ids.closedGroup}/members`, payload: {} }),
  },
  {
    method: 'PATCH',
    url: '/api/entities/:id/members/:userId',
    // Owners change roles (managers do not); moderators and admins may too.
    expect: by(401, 'ok', 403, 403, 'ok', 403, 'ok'),
    request: async (w) => ({
      method: 'PATCH',
      url: `/api/entities/${w.ids.group}/members/${await w.fresh.groupMember()}`,
      payload: { role: 'manager' },
    }),
  },
  {
    method: 'DELETE',
    url: '/api/entities/:id/members/:userId',
    expect: groupGovernors,
    request: async (w) => ({
      method: 'DELETE',
      url: `/api/entities/${w.ids.group}/members/${await w.fresh.groupMember()}`,
    }),
  },
  {
    method: 'GET',
    url: '/api/entities/:id/membership',
    expect: everyone,
    request: (w) => get(`/api/entities/${w.ids.closedGroup}/membership`),
  },
  {
    method: 'GET',
    url: '/api/me/groups',
    expect: signedIn,
    request: () => get('/api/me/groups'),
  },
  {
    // Withdrawing one's own request: the owner and the manager are members and have none (404).
    method: 'DELETE',
    url: '/api/entities/:id/join-requests/mine',
    expect: by(401, 404, 'ok', 404, 'ok', 'ok', 'ok'),
    selfScoped: true,
    request: async (w, role) => {
      const url = `/api/entities/${w.ids.closedGroup}/join-requests/mine`
      if (role !== 'anonymous' && role !== 'member' && role !== 'manager') {
        // Asked now (or already pending: 409), so that there is a request to withdraw.
        await w.call(role, 'POST', `/api/entities/${w.ids.closedGroup}/members`, {})
      }
      return { method: 'DELETE', url }
    },
  },
  {
    method: 'GET',
    url: '/api/entities/:id/join-requests',
    expect: groupGovernors,
    request: (w) => get(`/api/entities/${w.ids.closedGroup}/join-requests`),
  },
  {
    method: 'POST',
    url: '/api/entities/:id/join-requests/:requestId/approve',
    expect: groupGovernors,
    request: async (w) => ({
      method: 'POST',
      url: `/api/entities/${w.ids.closedGroup}/join-requests/${await w.fresh.joinRequest()}/approve`,
    }),
  },
  {
    method: 'POST',
    url: '/api/entities/:id/join-requests/:requestId/reject',
    expect: groupGovernors,
    request: async (w) => ({
      method: 'POST',
      url: `/api/entities/${w.ids.closedGroup}/join-requests/${await w.fresh.joinRequest()}/reject`,
    }),
  },

  // ------------------------------------------------------------------------------------------ moderation
  {
    method: 'POST',
    url: '/api/reports',
    // Everyone signed in but the author: reporting one's own thing is refused (change or remove it instead).
    expect: by(401, 403, 'ok', 'ok', 'ok', 'ok', 'ok'),
    request: (w) => ({
      method: 'POST',
      url: '/api/reports',
      payload: { targetType: 'entity', targetId: w.ids.entity, reason: 'spam' },
    }),
  },
  {
    method: 'GET',
    url: '/api/moderation/queue',
    expect: moderators,
    request: () => get('/api/moderation/queue'),
  },
  {
    method: 'POST',
    url: '/api/moderation/hide',
    expect: moderators,
    request: async (w) => ({
      method: 'POST',
      url: '/api/moderation/hide',
      payload: { targetType: 'entity', targetId: await w.fresh.entity(), reason: 'spam' },
    }),
  },
  {
    method: 'POST',
    url: '/api/moderation/restore',
    expect: moderators,
    request: async (w) => ({
      method: 'POST',
      url: '/api/moderation/restore',
      payload: { targetType: 'entity', targetId: await w.fresh.hiddenEntity(), reason: 'ok' },
    }),
  },
  {
    method: 'POST',
    url: '/api/moderation/reports/:id/dismiss',
    expect: moderators,
    request: async (w) => ({
      method: 'POST',
      url: `/api/moderation/reports/${await w.fresh.report()}/dismiss`,
      payload: { reason: 'not spam' },
    }),
  },
  {
    method: 'GET',
    url: '/api/moderation/actions',
    expect: moderators,
    request: () => get('/api/moderation/actions'),
  },

  // ------------------------------------------------------------------------------------------ notifications
  {
    method: 'GET',
    url: '/api/notifications',
    expect: signedIn,
    mustNotShow: { ids: (w) => [w.ids.notification], to: strangers },
    request: () => get('/api/notifications'),
  },
  {
    method: 'POST',
    url: '/api/notifications/:id/read',
    expect: ownerOnlyHidden,
    request: (w) => ({ method: 'POST', url: `/api/notifications/${w.ids.notification}/read` }),
  },
  {
    method: 'POST',
    url: '/api/notifications/read-all',
    expect: signedIn,
    selfScoped: true,
    request: () => ({ method: 'POST', url: '/api/notifications/read-all' }),
  },
  {
    method: 'PUT',
    url: '/api/entities/:id/subscription',
    expect: signedIn,
    selfScoped: true,
    request: (w) => ({ method: 'PUT', url: `/api/entities/${w.ids.entity}/subscription` }),
  },
  {
    method: 'DELETE',
    url: '/api/entities/:id/subscription',
    expect: signedIn,
    selfScoped: true,
    request: (w) => ({ method: 'DELETE', url: `/api/entities/${w.ids.entity}/subscription` }),
  },
  {
    method: 'GET',
    url: '/api/entities/:id/subscription',
    expect: signedIn,
    request: (w) => get(`/api/entities/${w.ids.entity}/subscription`),
  },
  {
    method: 'GET',
    url: '/api/me/subscriptions',
    expect: signedIn,
    request: () => get('/api/me/subscriptions'),
  },
  {
    method: 'GET',
    url: '/api/push/public-key',
    expect: everyone,
    request: () => get('/api/push/public-key'),
  },
  {
    method: 'GET',
    url: '/api/me/push-devices',
    expect: signedIn,
    request: () => get('/api/me/push-devices'),
  },
  {
    method: 'POST',
    url: '/api/me/push-devices',
    expect: signedIn,
    selfScoped: true,
    request: () => ({ method: 'POST', url: '/api/me/push-devices', payload: pushSubscription() }),
  },
  {
    method: 'DELETE',
    url: '/api/me/push-devices/:id',
    expect: ownerOnlyHidden,
    request: async (w) => {
      const device = (await w.ok('member', 'POST', '/api/me/push-devices', pushSubscription())) as {
        id: string
      }
      return { method: 'DELETE', url: `/api/me/push-devices/${device.id}` }
    },
  },

  // ------------------------------------------------------------------------------------------ media
  {
    method: 'POST',
    url: '/api/media',
    expect: editors,
    request: (w) => {
      const { payload, headers } = w.multipart(w.image)
      return { method: 'POST', url: `/api/media?entityId=${w.ids.entity}`, payload, headers }
    },
  },
  {
    method: 'GET',
    url: '/api/media/:id',
    expect: everyone,
    request: (w) => get(`/api/media/${w.ids.media}`),
  },
  {
    method: 'GET',
    url: '/api/media/:id/thumbnail',
    expect: everyone,
    request: (w) => get(`/api/media/${w.ids.media}/thumbnail`),
  },
  {
    // The uploader (the member), moderators and admins; a fresh image each time, uploaded by the member.
    method: 'DELETE',
    url: '/api/media/:id',
    expect: by(401, 'ok', 403, 403, 'ok', 403, 'ok'),
    request: async (w) => {
      const { payload, headers } = w.multipart(w.image)
      const media = await w.ok('member', 'POST', `/api/media?entityId=${w.ids.entity}`, payload, headers)
      return { method: 'DELETE', url: `/api/media/${media.id as string}` }
    },
  },
  {
    // The description is the uploader's alone (the member's image).
    method: 'PATCH',
    url: '/api/media/:id',
    expect: by(401, 'ok', 403, 403, 403, 403, 403),
    request: (w) => ({
      method: 'PATCH',
      url: `/api/media/${w.ids.media}`,
      payload: { altText: 'a courtyard' },
    }),
  },
  {
    method: 'GET',
    url: '/api/entities/:id/media',
    expect: everyone,
    request: (w) => get(`/api/entities/${w.ids.entity}/media`),
  },

  // ------------------------------------------------------------------------------------------ initiatives
  { method: 'GET', url: '/api/initiatives', expect: everyone, request: () => get('/api/initiatives') },
  {
    method: 'POST',
    url: '/api/initiatives',
    expect: moderators,
    request: (w) => ({
      method: 'POST',
      url: '/api/initiatives',
      payload: { slug: w.fresh.initiativeSlug(), name: 'Altra iniziativa' },
    }),
  },
  {
    method: 'GET',
    url: '/api/initiatives/:ref',
    expect: everyone,
    request: (w) => get(`/api/initiatives/${w.ids.initiative}`),
  },
  {
    method: 'PUT',
    url: '/api/initiatives/:ref/entities/:entityId',
    expect: moderators,
    request: (w) => ({ method: 'PUT', url: `/api/initiatives/${w.ids.initiative}/entities/${w.ids.entity}` }),
  },
  {
    method: 'DELETE',
    url: '/api/initiatives/:ref/entities/:entityId',
    expect: moderators,
    request: (w) => ({
      method: 'DELETE',
      url: `/api/initiatives/${w.ids.initiative}/entities/${w.ids.entity}`,
    }),
  },

  // ------------------------------------------------------------------------------------------ pacts
  {
    method: 'POST',
    url: '/api/pacts',
    expect: signedIn,
    request: () => ({
      method: 'POST',
      url: '/api/pacts',
      payload: { title: 'Patto per la piazza', geometry: point(7.68, 45.07) },
    }),
  },
  { method: 'GET', url: '/api/pacts', expect: everyone, request: () => get('/api/pacts?status=proposal') },
  { method: 'GET', url: '/api/pacts/:id', expect: everyone, request: (w) => get(`/api/pacts/${w.ids.pact}`) },
  {
    // The proposer until the signing, and admins.
    method: 'PATCH',
    url: '/api/pacts/:id',
    expect: by(401, 'ok', 403, 403, 403, 403, 'ok'),
    request: (w) => ({ method: 'PATCH', url: `/api/pacts/${w.ids.pact}`, payload: { durationMonths: 12 } }),
  },
  {
    method: 'POST',
    url: '/api/pacts/:id/transitions',
    expect: adminOnly,
    request: async (w) => ({
      method: 'POST',
      url: `/api/pacts/${await w.fresh.pact()}/transitions`,
      payload: { to: 'co-design' },
    }),
  },
  {
    // Members of a signatory group (the member owns it, the manager manages it).
    method: 'POST',
    url: '/api/pacts/:id/reports',
    expect: groupManagers,
    request: (w) => ({
      method: 'POST',
      url: `/api/pacts/${w.ids.signedPact}/reports`,
      payload: { groupId: w.ids.group, note: 'Abbiamo pulito il cortile' },
    }),
  },
  {
    method: 'POST',
    url: '/api/pacts/:id/documents',
    expect: by(401, 'ok', 403, 403, 403, 403, 'ok'),
    request: (w) => ({
      method: 'POST',
      url: `/api/pacts/${w.ids.pact}/documents`,
      payload: { title: 'Bozza', url: 'https://example.org/bozza.pdf' },
    }),
  },

  // ------------------------------------------------------------------------------------------ open data
  { method: 'GET', url: '/ogc', expect: everyone, request: () => get('/ogc') },
  { method: 'GET', url: '/ogc/conformance', expect: everyone, request: () => get('/ogc/conformance') },
  { method: 'GET', url: '/ogc/api', expect: everyone, request: () => get('/ogc/api') },
  { method: 'GET', url: '/ogc/collections', expect: everyone, request: () => get('/ogc/collections') },
  {
    method: 'GET',
    url: '/ogc/collections/:collectionId',
    expect: everyone,
    request: () => get('/ogc/collections/space'),
  },
  {
    method: 'GET',
    url: '/ogc/collections/:collectionId/queryables',
    expect: everyone,
    request: () => get('/ogc/collections/space/queryables'),
  },
  {
    method: 'GET',
    url: '/ogc/collections/:collectionId/items',
    expect: everyone,
    request: () => get('/ogc/collections/space/items'),
  },
  {
    method: 'GET',
    url: '/ogc/collections/:collectionId/items/:featureId',
    expect: everyone,
    request: (w) => get(`/ogc/collections/space/items/${w.ids.entity}`),
  },
  {
    method: 'GET',
    url: '/tiles/:z/:x/:y.mvt',
    expect: everyone,
    request: () => get('/tiles/12/2135/1475.mvt'),
  },
  { method: 'GET', url: '/tiles.json', expect: everyone, request: () => get('/tiles.json') },
  {
    method: 'GET',
    url: '/api/export/entities.:format',
    expect: everyone,
    request: () => get('/api/export/entities.geojson'),
  },
  {
    method: 'GET',
    url: '/api/export/ledger-flows.csv',
    expect: by(401, 403, 403, 403, 403, 'ok', 'ok'),
    request: () => get('/api/export/ledger-flows.csv'),
  },
  { method: 'GET', url: '/api/events.ics', expect: everyone, request: () => get('/api/events.ics') },
  { method: 'GET', url: '/api/open-data', expect: everyone, request: () => get('/api/open-data') },
]

/** A browser's PushSubscription, at a host the matrix's server accepts and that never resolves. */
function pushSubscription() {
  return {
    endpoint: `https://push.invalid/${randomUUID()}`,
    keys: {
      p256dh: createECDH('prime256v1').generateKeys().toString('base64url'),
      auth: randomBytes(16).toString('base64url'),
    },
  }
}
