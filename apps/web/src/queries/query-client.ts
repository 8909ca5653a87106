import { QueryClient } from '@tanstack/react-query'

/**
 * The app's one cache of what it read from the API. Reads are not retried (a refusal is shown at once, as the
 * API said it) and not repeated when the window regains focus or the network returns: the live feed says what
 * changed (see live-invalidation.ts), and after an interruption it says so with a reset, which reads all again.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: false,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
      },
      mutations: { retry: false },
    },
  })
}
