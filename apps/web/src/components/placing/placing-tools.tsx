import type { EntityFeature } from '@quartiere/contracts'
import { useQuery } from '@tanstack/react-query'
import { useMap } from '@vis.gl/react-maplibre'
import { type KeyboardEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { ApiClient } from '../../api/client'
import { searchThings } from '../../api/places'
import { type ScreenI18n, useMessages } from '../../i18n/screen-messages'
import { queryKeys } from '../../queries/query-keys'
import {
  formatCoordinates,
  looksLikeCoordinates,
  type Position,
  parseCoordinates,
} from '../../state/coordinates'
import type { DrawKind } from '../../state/drawing'
import {
  nearestPlace,
  type PlaceCandidate,
  placeQueryLengthMin,
  rankPlaces,
  representativePoint,
} from '../../state/geocode'
import { Combobox, type ComboboxOption } from './combobox'
import { placingMessages } from './messages'
import { turinPlaces } from './turin-places'

/** Wait for the typing to pause before asking the API's search. */
const searchDebounceMs = 250
/** One arrow press moves the map this far; with Shift, five times as far. */
const panStepPx = 40
const panStepLargeMultiple = 5

type Messages = ScreenI18n<keyof (typeof placingMessages)['en'] & string>

/** The things loaded on the map as places to find by title. */
function thingsAsPlaces(features: readonly EntityFeature[]): PlaceCandidate[] {
  const places: PlaceCandidate[] = []
  for (const feature of features) {
    const position = representativePoint(feature.geometry)
    if (position)
      places.push({ id: feature.id, name: feature.properties.title, kind: feature.properties.kind, position })
  }
  return places
}

function kindLabel(i18n: Messages, kind: string): string {
  return kind === 'neighbourhood' ? i18n.m('neighbourhood') : i18n.t(`kind.${kind}` as 'kind.space')
}

function distanceLabel(i18n: Messages, metres: number): string {
  return metres < 1000
    ? i18n.m('metres', { count: Math.round(metres) })
    : i18n.m('kilometres', { count: (metres / 1000).toFixed(1) })
}

interface PlaceOption extends ComboboxOption {
  position: Position
}

export interface PlacingToolsProps {
  api: ApiClient
  kind: DrawKind
  /** The map's centre: results nearer to it come first. */
  near: Position
  /** The things loaded on the map, findable by title at once. */
  features: readonly EntityFeature[]
  onPlace(position: Position): void
  crosshair: boolean
  onCrosshair(on: boolean): void
}

/**
 * Places a point (or a corner of a line or an area) without a pointer: a combobox that takes a neighbourhood's
 * name, a thing's title or typed coordinates, and a button that starts the keyboard crosshair on the map.
 * Focus comes here when drawing starts, so a keyboard user starts where the tools are.
 */
export function PlacingTools(props: PlacingToolsProps) {
  const i18n = useMessages(placingMessages)
  const { m } = i18n
  const [text, setText] = useState('')
  const [searched, setSearched] = useState('')
  const region = useRef<HTMLElement>(null)
  useEffect(() => region.current?.focus(), [])
  const debounce = useRef(0)
  useEffect(() => () => window.clearTimeout(debounce.current), [])
  const coordinatesMeant = looksLikeCoordinates(text)
  const search = useQuery({
    queryKey: queryKeys.places.search(searched),
    queryFn: ({ signal }) => searchThings(props.api, searched, signal),
    enabled: !coordinatesMeant && searched.length >= placeQueryLengthMin,
  })

  const parsed = coordinatesMeant ? parseCoordinates(text) : null
  const error =
    parsed && !parsed.ok
      ? m(
          parsed.reason === 'latitude'
            ? 'coordinatesLatitude'
            : parsed.reason === 'longitude'
              ? 'coordinatesLongitude'
              : 'coordinatesFormat',
        )
      : null
  const options = useMemo((): PlaceOption[] => {
    if (parsed) {
      if (!parsed.ok) return []
      const coordinates = formatCoordinates(parsed.position)
      return [
        { id: 'coordinates', label: m('coordinatesOption', { coordinates }), position: parsed.position },
      ]
    }
    const candidates = [
      ...turinPlaces,
      ...thingsAsPlaces(props.features),
      ...(searched === text.trim() ? thingsAsPlaces(search.data?.features ?? []) : []),
    ]
    return rankPlaces(candidates, text, props.near).map((candidate) => ({
      id: candidate.id,
      label: candidate.name,
      detail: kindLabel(i18n, candidate.kind),
      position: candidate.position,
    }))
  }, [parsed, text, searched, search.data, props.features, props.near, i18n, m])
  const status =
    text.trim().length < placeQueryLengthMin || error
      ? ''
      : search.isFetching && options.length === 0
        ? m('searching')
        : options.length
          ? m('results', { count: options.length })
          : m('noResults')

  return (
    <section
      className="placing"
      aria-label={m('region')}
      tabIndex={-1}
      ref={region}
      data-testid="placing-tools"
    >
      <Combobox
        label={m('find')}
        inputId="place-find"
        value={text}
        onInput={(next) => {
          setText(next)
          window.clearTimeout(debounce.current)
          debounce.current = window.setTimeout(() => setSearched(next.trim()), searchDebounceMs)
        }}
        options={options}
        onChoose={(option) => {
          setText('')
          props.onPlace(option.position)
        }}
        status={status}
        error={error}
        hint={`${m('findHint')} ${props.kind === 'Point' ? m('findPoint') : m('findVertex')}`}
        testId="place-find"
      />
      <button
        type="button"
        aria-pressed={props.crosshair}
        onClick={() => props.onCrosshair(!props.crosshair)}
        data-testid="crosshair-start"
      >
        {m('crosshairStart')}
      </button>
    </section>
  )
}

export interface CrosshairProps {
  kind: DrawKind
  vertexCount: number
  features: readonly EntityFeature[]
  onPlace(position: Position): void
  onUndo(): void
  onCancel(): void
}

/**
 * The keyboard crosshair, inside the map: the map's centre is the point. Arrow keys pan (Shift: bigger steps),
 * Enter places it (or adds a corner), Backspace removes the last corner, Escape cancels. A live region reads
 * the centre's coordinates and the nearest known thing after every move.
 */
export function Crosshair(props: CrosshairProps) {
  const i18n = useMessages(placingMessages)
  const { m } = i18n
  const { current: mapRef } = useMap()
  const map = mapRef?.getMap()
  const target = useRef<HTMLDivElement>(null)
  const [centre, setCentre] = useState<Position | null>(null)
  const [said, setSaid] = useState('')
  useEffect(() => target.current?.focus(), [])
  const places = useMemo(() => thingsAsPlaces(props.features), [props.features])

  const readCentre = useCallback(() => {
    if (!map) return
    const { lng, lat } = map.getCenter()
    setCentre([lng, lat])
  }, [map])
  useEffect(() => {
    if (!map) return
    readCentre()
    map.on('moveend', readCentre)
    return () => {
      map.off('moveend', readCentre)
    }
  }, [map, readCentre])

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!map) return
    const step = panStepPx * (event.shiftKey ? panStepLargeMultiple : 1)
    const pans: Record<string, [number, number]> = {
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
    }
    const pan = pans[event.key]
    if (pan) {
      event.preventDefault()
      map.panBy(pan, { duration: 0 })
      return
    }
    if (event.key === 'Enter') {
      event.preventDefault()
      const { lng, lat } = map.getCenter()
      if (props.kind !== 'Point') setSaid(m('vertexAdded', { count: props.vertexCount + 1 }))
      props.onPlace([lng, lat])
    } else if (event.key === 'Backspace' && props.kind !== 'Point') {
      event.preventDefault()
      setSaid(m('vertexRemoved', { count: Math.max(0, props.vertexCount - 1) }))
      props.onUndo()
    } else if (event.key === 'Escape') {
      event.preventDefault()
      props.onCancel()
    }
  }

  const nearest = centre ? nearestPlace(places, centre) : null
  const readout = centre
    ? [
        m('readout', { coordinates: formatCoordinates(centre) }),
        nearest
          ? m('readoutNearest', {
              name: nearest.candidate.name,
              kind: kindLabel(i18n, nearest.candidate.kind),
              distance: distanceLabel(i18n, nearest.metres),
            })
          : '',
      ]
        .filter(Boolean)
        .join(' ')
    : ''
  return (
    <div className="crosshair">
      <div
        ref={target}
        className="crosshair-target"
        role="application"
        aria-roledescription={m('crosshairLabel')}
        aria-label={m('crosshairLabel')}
        aria-describedby="crosshair-help"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: an application region takes the keys itself (arrows pan, Enter places), so it must be reachable by Tab.
        tabIndex={0}
        onKeyDown={onKeyDown}
        data-testid="crosshair"
      >
        <span className="crosshair-mark" aria-hidden="true" />
      </div>
      <div className="crosshair-readout">
        <p id="crosshair-help">
          {props.kind === 'Point' ? m('crosshairHelpPoint') : m('crosshairHelpShape')}
        </p>
        <p role="status" aria-live="polite" data-testid="crosshair-readout">
          {readout}
        </p>
        <p role="status" aria-live="polite" className="visually-hidden">
          {said}
        </p>
      </div>
    </div>
  )
}
