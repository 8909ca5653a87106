import type { User } from '@quartiere/contracts'
import { type ComponentType, type LazyExoticComponent, lazy } from 'react'
import type { ApiClient } from './api/client'
import type { Locale, MessageKey } from './i18n/dictionaries'
import type { LiveHub } from './live/hub'
import type { SessionStore } from './session/session'
import type { Page } from './state/url-state'

/** What every page is handed by the shell. */
export interface PageProps {
  api: ApiClient
  /** null only on a page that does not require signing in. */
  user: User | null
  hub: LiveHub
  session: SessionStore
  /** Back to the map with this thing selected. */
  showOnMap(id: string): void
  goTo(page: Page): void
  /** Switch the interface's language (the account page, after the API stored the member's choice). */
  setLocale(locale: Locale): void
  /** The token of the emailed link that opened the app, if one did (see `linkTokenOf`). */
  linkToken?: string | null
  /** Open the login dialog (after a new password is set). */
  openLogin?(): void
}

export interface PageDefinition {
  /** The navigation's label. */
  label: MessageKey
  /** Whether it needs a signed-in member: a visitor is asked to log in first. */
  requiresSignIn: boolean
  /** Left out of the navigation (reached another way: the account page from the member's name). */
  hiddenFromNavigation?: true
  /**
   * Whether this person is offered it (in the navigation, and at its address), from what the API says about them (their role as `/api/me`
   * gave it), never from a copy of the rules: the API still judges every action on the page.
   */
  offeredTo(user: User | null): boolean
  component: LazyExoticComponent<ComponentType<PageProps>>
}

/**
 * The pages besides the map, in the navigation's order. Each one's code loads when it is first opened, so a
 * page adds nothing to the first visit.
 */
export const pages: Record<Exclude<Page, 'map'>, PageDefinition> = {
  wallet: {
    label: 'nav.wallet',
    requiresSignIn: true,
    offeredTo: () => true,
    component: lazy(() =>
      import('./components/wallet/wallet').then((module) => ({ default: module.WalletPage })),
    ),
  },
  groups: {
    label: 'nav.groups',
    requiresSignIn: true,
    offeredTo: (user) => user !== null,
    component: lazy(() =>
      import('./components/groups/groups-page').then((module) => ({ default: module.GroupsPage })),
    ),
  },
  pacts: {
    label: 'nav.pacts',
    requiresSignIn: false,
    offeredTo: () => true,
    component: lazy(() =>
      import('./components/pacts/pacts-page').then((module) => ({ default: module.PactsPage })),
    ),
  },
  initiatives: {
    label: 'nav.initiatives',
    requiresSignIn: false,
    offeredTo: () => true,
    component: lazy(() =>
      import('./components/initiatives/initiatives-page').then((module) => ({
        default: module.InitiativesPage,
      })),
    ),
  },
  currencies: {
    label: 'nav.currencies',
    requiresSignIn: false,
    offeredTo: () => true,
    component: lazy(() =>
      import('./components/currencies/currencies-page').then((module) => ({
        default: module.CurrenciesPage,
      })),
    ),
  },
  moderation: {
    label: 'nav.moderation',
    requiresSignIn: true,
    offeredTo: (user) => user?.role === 'moderator' || user?.role === 'admin',
    component: lazy(() =>
      import('./components/moderation/moderation-page').then((module) => ({
        default: module.ModerationPage,
      })),
    ),
  },
  admin: {
    label: 'nav.admin',
    requiresSignIn: true,
    offeredTo: (user) => user?.role === 'admin',
    component: lazy(() =>
      import('./components/admin/admin').then((module) => ({ default: module.AdministrationPage })),
    ),
  },
  'open-data': {
    label: 'nav.openData',
    requiresSignIn: false,
    offeredTo: () => true,
    component: lazy(() =>
      import('./components/opendata/open-data-page').then((module) => ({ default: module.OpenDataPage })),
    ),
  },
  // Reached from the member's name in the top bar rather than from the navigation.
  account: {
    label: 'nav.account',
    requiresSignIn: true,
    hiddenFromNavigation: true,
    offeredTo: (user) => user !== null,
    component: lazy(() =>
      import('./components/account/account-page').then((module) => ({ default: module.AccountPage })),
    ),
  },
  // Opened by the links sent by email; reachable without signing in.
  'reset-password': {
    label: 'nav.resetPassword',
    requiresSignIn: false,
    hiddenFromNavigation: true,
    offeredTo: () => true,
    component: lazy(() =>
      import('./components/email-links/reset-password-page').then((module) => ({
        default: module.ResetPasswordPage,
      })),
    ),
  },
  'verify-email': {
    label: 'nav.verifyEmail',
    requiresSignIn: false,
    hiddenFromNavigation: true,
    offeredTo: () => true,
    component: lazy(() =>
      import('./components/email-links/verify-email-page').then((module) => ({
        default: module.VerifyEmailPage,
      })),
    ),
  },
  // Reached from the unsubscribe link of an email digest, signed in or not.
  unsubscribe: {
    label: 'nav.unsubscribe',
    requiresSignIn: false,
    hiddenFromNavigation: true,
    offeredTo: () => true,
    component: lazy(() =>
      import('./components/unsubscribe/unsubscribe-page').then((module) => ({
        default: module.UnsubscribePage,
      })),
    ),
  },
}

export const pageOrder = Object.keys(pages) as (keyof typeof pages)[]
