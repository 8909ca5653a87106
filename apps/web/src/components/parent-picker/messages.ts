import { defineMessages } from '../../i18n/screen-messages'

/** The editor's parent picker and its "visible from" control. */
export const parentPickerMessages = defineMessages(
  {
    label: 'Inside (optional)',
    hint: 'The place or thing it belongs to: an event in a Casa del Quartiere, a room in a building. Things nearby are listed first; type to search by name.',
    chosen: 'Inside: {kind} {title}',
    none: 'Not inside anything.',
    clear: 'Remove from {title}',
    results: '{count} things to choose from.',
    noResults: 'No thing found.',
    searching: 'Searching…',
    nearby: 'nearby',
    zoomLabel: 'Visible on the map from',
    zoomHint:
      'The map shows it from this scale in, and when zoomed in closer: a whole city, a district, a neighbourhood, a few streets, a building.',
    'scale.region': 'the region (zoom 10)',
    'scale.city': 'the city (zoom 12)',
    'scale.district': 'the district (zoom 13)',
    'scale.neighbourhood': 'the neighbourhood (zoom 14)',
    'scale.street': 'the street (zoom 15)',
    'scale.building': 'the building (zoom 17)',
    'scale.other': 'zoom {zoom}',
  },
  {
    label: 'Dentro (facoltativo)',
    hint: 'Il luogo o l’elemento a cui appartiene: un evento in una Casa del Quartiere, una sala in un edificio. Prima gli elementi vicini; scrivi per cercare per nome.',
    chosen: 'Dentro: {kind} {title}',
    none: 'Non è dentro nulla.',
    clear: 'Togli da {title}',
    results: '{count} elementi tra cui scegliere.',
    noResults: 'Nessun elemento trovato.',
    searching: 'Ricerca in corso…',
    nearby: 'vicino',
    zoomLabel: 'Visibile sulla mappa da',
    zoomHint:
      'La mappa lo mostra da questa scala in poi, e più da vicino: una città intera, una circoscrizione, un quartiere, qualche via, un edificio.',
    'scale.region': 'la regione (zoom 10)',
    'scale.city': 'la città (zoom 12)',
    'scale.district': 'la circoscrizione (zoom 13)',
    'scale.neighbourhood': 'il quartiere (zoom 14)',
    'scale.street': 'la via (zoom 15)',
    'scale.building': 'l’edificio (zoom 17)',
    'scale.other': 'zoom {zoom}',
  },
)
