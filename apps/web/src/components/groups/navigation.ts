import { pathOf } from '../../state/url-state'

/**
 * The group screen's address: the groups page with the group as the view's selection (`sel`), which the shell
 * keeps in the URL as it keeps every view, so the address can be shared and reloaded.
 */
export function groupScreenHref(groupId: string | null): string {
  const params = new URLSearchParams(window.location.search)
  if (groupId) params.set('sel', groupId)
  else params.delete('sel')
  const query = params.toString()
  return `${pathOf('groups')}${query ? `?${query}` : ''}`
}

/**
 * Opens an address of the app without reloading it: pushed into the history, then announced as the browser
 * announces going back, so the shell reads the page and the view from the URL as it always does.
 */
export function navigateWithin(href: string): void {
  window.history.pushState(null, '', href)
  window.dispatchEvent(new PopStateEvent('popstate'))
}

/** A plain left click on a link: the app handles it; a modified one (new tab…) is the browser's. */
export function isPlainClick(event: {
  button: number
  metaKey: boolean
  ctrlKey: boolean
  shiftKey: boolean
  altKey: boolean
}): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey
}
