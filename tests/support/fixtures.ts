import type { EntityCreateBody, EntityKind } from '@quartiere/contracts'

/** Piazza Castello, Turin. */
export const turin: [number, number] = [7.6858, 45.0711]

export const point = (lon = turin[0], lat = turin[1]) => ({ type: 'Point' as const, coordinates: [lon, lat] })

/** One valid thing of each kind, with the kind-specific properties its schema asks for. */
export const validEntityByKind: Record<EntityKind, EntityCreateBody> = {
  space: {
    kind: 'space',
    title: 'Casa del Quartiere di prova',
    geometry: point(),
    properties: { address: 'via Roma 1', capacity: 80, accessible: true, website: 'https://example.org' },
  },
  group: {
    kind: 'group',
    title: 'Orto condiviso',
    geometry: point(7.66, 45.06),
    properties: { membership: 'open', legalForm: 'informal group' },
  },
  event: {
    kind: 'event',
    title: 'Impresa di comunità generativa',
    geometry: point(7.6977, 45.0893),
    properties: {
      startsAt: '2019-06-19T14:30:00+02:00',
      endsAt: '2019-06-19T18:30:00+02:00',
      organizer: 'Città',
    },
  },
  project: {
    kind: 'project',
    title: 'Patto per il cortile',
    geometry: {
      type: 'Polygon',
      coordinates: [
        [
          [7.68, 45.07],
          [7.69, 45.07],
          [7.69, 45.08],
          [7.68, 45.08],
          [7.68, 45.07],
        ],
      ],
    },
    properties: { status: 'proposal', projectType: 'pact', programme: 'Co-City', budget: '1500.00' },
  },
  news: {
    kind: 'news',
    title: 'Nuovo orario della biblioteca',
    geometry: point(7.67, 45.05),
    properties: { source: 'Circoscrizione 8', publishedAt: '2026-01-10T09:00:00Z' },
  },
  story: {
    kind: 'story',
    title: 'La fabbrica di cavi',
    geometry: {
      type: 'LineString',
      coordinates: [
        [7.69, 45.08],
        [7.7, 45.085],
      ],
    },
    properties: { narrator: 'Una vicina', period: 'anni Sessanta' },
  },
  offer: {
    kind: 'offer',
    title: 'Ripetizioni di matematica',
    geometry: point(7.64, 45.04),
    properties: { hours: '1.50', skillCategory: 'education', availability: 'martedì sera' },
  },
  request: {
    kind: 'request',
    title: 'Aiuto per la spesa',
    geometry: point(7.65, 45.045),
    properties: { hours: '1.00', skillCategory: 'care' },
  },
}
