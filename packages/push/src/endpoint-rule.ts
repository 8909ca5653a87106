/**
 * Which push endpoints the server will POST to. An endpoint comes from the member's browser, so without a rule
 * anyone could make the server send requests to any address (SSRF): only the push services browsers use are
 * allowed, over https. Configurable: PUSH_ENDPOINT_HOSTS and PUSH_ENDPOINT_HTTP (tests' local endpoint only).
 */
export interface EndpointRule {
  /** Host names; `*.example.org` matches its subdomains; `*` any host. */
  hosts: string[]
  /** Allows http: endpoints (a local push endpoint in tests). Never in production. */
  allowHttp: boolean
}

/** The push services of Chrome/Edge/Android (FCM), Firefox (Mozilla autopush), Windows (WNS) and Safari. */
export const defaultPushHosts = [
  'fcm.googleapis.com',
  '*.push.services.mozilla.com',
  '*.notify.windows.com',
  '*.push.apple.com',
]

/** The longest endpoint accepted, in characters (FCM's are about 200). */
export const endpointLengthMax = 1024

export type EndpointCheck = { ok: true } | { ok: false; message: string }

export function checkEndpoint(rule: EndpointRule, endpoint: string): EndpointCheck {
  if (endpoint.length > endpointLengthMax)
    return { ok: false, message: `the endpoint is longer than ${endpointLengthMax} characters` }
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return { ok: false, message: 'the endpoint is not a URL' }
  }
  if (url.protocol !== 'https:' && !(rule.allowHttp && url.protocol === 'http:'))
    return { ok: false, message: 'the endpoint must be an https: URL' }
  if (url.username || url.password) return { ok: false, message: 'the endpoint must not carry credentials' }
  const host = url.hostname.toLowerCase()
  const allowed = rule.hosts.some((pattern) => {
    const p = pattern.toLowerCase()
    if (p === '*') return true
    if (p.startsWith('*.')) return host.endsWith(p.slice(1))
    return host === p
  })
  if (!allowed)
    return { ok: false, message: `${host} is not a push service this server sends to (PUSH_ENDPOINT_HOSTS)` }
  return { ok: true }
}
