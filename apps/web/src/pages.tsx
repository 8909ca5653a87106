import type { User } from '@quartiere/contracts'
import { type ComponentType, type LazyExoticComponent, lazy } from 'react'
import type { ApiClient } from './api/client'
import type { MessageKey } from './i18n/dictionaries'
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
}

export interface PageDefinition {
  /** The navigation's label. */
  label: MessageKey
  /** Whether it needs a signed-in member: a visitor is asked to log in first. */
  requiresSignIn: boolean
  /**
   * Whether the navigation offers it to this person, from what the API says about them (their role as `/api/me`
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
  admin: {
    label: 'nav.admin',
    requiresSignIn: true,
    offeredTo: (user) => user?.role === 'admin',
    component: lazy(() =>
      import('./components/admin/admin').then((module) => ({ default: module.AdministrationPage })),
    ),
  },
}

export const pageOrder = Object.keys(pages) as (keyof typeof pages)[]
