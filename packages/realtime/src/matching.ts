import type { RealtimeSubscription } from '@quartiere/contracts'
import { type Bbox, bboxArea, bboxIntersects, parseTimeWindow } from '@quartiere/geo'

/** A subscription parsed once, so matching an event against it is a few comparisons. */
export interface CompiledSubscription {
  id: string
  bbox: Bbox
  kinds: Set<string> | null
  /** Epoch milliseconds; null for an open end. */
  from: number | null
  to: number | null
}

/** Where an event's thing is, as subscriptions match it: its bbox, and when known its kind and time window. */
export interface MatchState {
  bbox: Bbox
  kind: string | null
  validFrom: number | null
  validTo: number | null
}

export type CompileResult =
  | { ok: true; subscription: CompiledSubscription }
  | { ok: false; code: 'invalid_bbox' | 'bbox_too_large' | 'invalid_time_window'; message: string }

/** Checks what the schema could not (ordering of the box, its area, the time window) and compiles. */
export function compileSubscription(input: RealtimeSubscription, bboxAreaDeg2Max: number): CompileResult {
  const [minLon, minLat, maxLon, maxLat] = input.bbox
  if (minLon > maxLon || minLat > maxLat) {
    return {
      ok: false,
      code: 'invalid_bbox',
      message:
        'bbox is [minLon, minLat, maxLon, maxLat] with min <= max; boxes across the antimeridian are not supported',
    }
  }
  const area = bboxArea(input.bbox)
  if (area > bboxAreaDeg2Max) {
    return {
      ok: false,
      code: 'bbox_too_large',
      message: `bbox area is ${Number(area.toPrecision(6))} square degrees; the maximum is ${bboxAreaDeg2Max}: zoom in`,
    }
  }
  const window = parseTimeWindow(input.from, input.to)
  if (!window.ok) return { ok: false, code: 'invalid_time_window', message: window.message }
  return {
    ok: true,
    subscription: {
      id: input.id,
      bbox: [minLon, minLat, maxLon, maxLat],
      kinds: input.kinds ? new Set(input.kinds) : null,
      from: window.value.from?.getTime() ?? null,
      to: window.value.to?.getTime() ?? null,
    },
  }
}

/**
 * Whether a thing in `state` belongs to the subscription: its bbox intersects the viewport, its kind is one
 * asked for, and its time window overlaps the subscription's (open ends overlap everything), as in the map
 * query. What is not known about an event (a post has no kind of its own) does not filter it out.
 */
export function matches(subscription: CompiledSubscription, state: MatchState): boolean {
  if (!bboxIntersects(subscription.bbox, state.bbox)) return false
  if (subscription.kinds && state.kind !== null && !subscription.kinds.has(state.kind)) return false
  if (subscription.from !== null && state.validTo !== null && state.validTo < subscription.from) return false
  if (subscription.to !== null && state.validFrom !== null && state.validFrom > subscription.to) return false
  return true
}
