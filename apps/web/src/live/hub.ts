import type { RealtimeEvent, RealtimeSubscription } from '@quartiere/contracts'

export type LiveListener = (event: RealtimeEvent) => void

/**
 * Hands the live feed's events to whichever panels are open (the open thing's thread, the wallet's campaigns),
 * so that one websocket serves them all and each panel listens only while it is mounted.
 */
export class LiveHub {
  private readonly listeners = new Set<LiveListener>()
  private sink: Pick<SubscriptionSink, 'setSubscription' | 'removeSubscription'> | null = null

  /** The connection that carries the subscriptions panels ask for (the app attaches it). */
  attach(sink: SubscriptionSink | null) {
    this.sink = sink
  }

  /** Ask the feed for what happens in a box (the open thing, a campaign's place), under an id of the panel's. */
  watch(subscription: RealtimeSubscription) {
    this.sink?.setSubscription(subscription)
  }

  unwatch(id: string) {
    this.sink?.removeSubscription(id)
  }

  on(listener: LiveListener): () => void {
    this.listeners.add(listener)
    return () => {
      this.listeners.delete(listener)
    }
  }

  emit(event: RealtimeEvent) {
    for (const listener of this.listeners) listener(event)
  }
}

export interface SubscriptionSink {
  setSubscription(subscription: RealtimeSubscription): void
  removeSubscription(id: string): void
}
