import type { ApiClient, Query } from './client'

/** The file name a response proposes (Content-Disposition), or the fallback. */
export function attachmentName(response: Response, fallback: string): string {
  const header = response.headers.get('content-disposition') ?? ''
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header)?.[1]
  if (encoded) {
    try {
      return decodeURIComponent(encoded)
    } catch {
      // A malformed name from the server: the fallback is as good.
    }
  }
  return /filename="?([^";]+)"?/i.exec(header)?.[1] ?? fallback
}

/**
 * Downloads an API file as the signed-in member (a plain link would not carry the bearer token): fetched with
 * the session's token, then handed to the browser as a file. Refusals throw the API's problem, as any call.
 */
export async function downloadFile(
  api: ApiClient,
  path: string,
  fallbackName: string,
  query: Query = {},
): Promise<string> {
  const response = await api.requestResponse(path, {
    query,
    auth: 'required',
    headers: { accept: '*/*' },
  })
  const name = attachmentName(response, fallbackName)
  const url = URL.createObjectURL(await response.blob())
  try {
    const link = document.createElement('a')
    link.href = url
    link.download = name
    link.hidden = true
    document.body.append(link)
    link.click()
    link.remove()
  } finally {
    // The click has started the download from the object URL: it can go once the event loop moves on.
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
  return name
}
