import { defineMessages } from '../../i18n/screen-messages'

/** The placing tools' strings: finding a place by name or coordinates, and the keyboard crosshair. */
export const placingMessages = defineMessages(
  {
    region: 'Place it without a pointer',
    find: 'Address, place name or coordinates',
    findHint:
      'A neighbourhood of Turin or a thing on the map by its name, or coordinates as latitude, longitude (45.07, 7.68).',
    findPoint: 'Choose a result with Enter to put the point there.',
    findVertex: 'Choose a result with Enter to add a corner there.',
    results: '{count} results.',
    noResults: 'Nothing found by that name.',
    searching: 'Searching…',
    coordinatesOption: 'Coordinates {coordinates}',
    coordinatesFormat: 'Write the coordinates as latitude, longitude in decimal degrees, e.g. 45.07, 7.68.',
    coordinatesLatitude: 'The latitude (the first number) must be between -90 and 90.',
    coordinatesLongitude: 'The longitude (the second number) must be between -180 and 180.',
    neighbourhood: 'neighbourhood',
    crosshairStart: 'Place with keyboard',
    crosshairLabel: 'Crosshair on the map',
    crosshairHelpPoint:
      'The point is the centre of the map. Arrow keys move the map (Shift for bigger steps), Enter places, Escape cancels.',
    crosshairHelpShape:
      'The corner is the centre of the map. Arrow keys move the map (Shift for bigger steps), Enter adds a corner, Backspace removes the last, Escape cancels; then Finish.',
    readout: 'Centre {coordinates}.',
    readoutNearest: 'Nearest: {name} ({kind}), {distance}.',
    metres: '{count} m',
    kilometres: '{count} km',
    vertexAdded: 'Corner {count} added.',
    vertexRemoved: 'Last corner removed, {count} left.',
  },
  {
    region: 'Posiziona senza puntatore',
    find: 'Indirizzo, nome del luogo o coordinate',
    findHint:
      'Un quartiere di Torino o un elemento della mappa per nome, oppure le coordinate come latitudine, longitudine (45.07, 7.68).',
    findPoint: 'Scegli un risultato con Invio per mettere lì il punto.',
    findVertex: 'Scegli un risultato con Invio per aggiungere lì un vertice.',
    results: '{count} risultati.',
    noResults: 'Nessun risultato con quel nome.',
    searching: 'Ricerca in corso…',
    coordinatesOption: 'Coordinate {coordinates}',
    coordinatesFormat:
      'Scrivi le coordinate come latitudine, longitudine in gradi decimali, ad es. 45.07, 7.68.',
    coordinatesLatitude: 'La latitudine (il primo numero) deve essere tra -90 e 90.',
    coordinatesLongitude: 'La longitudine (il secondo numero) deve essere tra -180 e 180.',
    neighbourhood: 'quartiere',
    crosshairStart: 'Posiziona con la tastiera',
    crosshairLabel: 'Mirino sulla mappa',
    crosshairHelpPoint:
      'Il punto è il centro della mappa. Le frecce spostano la mappa (Maiusc per passi più lunghi), Invio posiziona, Esc annulla.',
    crosshairHelpShape:
      'Il vertice è il centro della mappa. Le frecce spostano la mappa (Maiusc per passi più lunghi), Invio aggiunge un vertice, Backspace toglie l’ultimo, Esc annulla; poi Termina.',
    readout: 'Centro {coordinates}.',
    readoutNearest: 'Più vicino: {name} ({kind}), {distance}.',
    metres: '{count} m',
    kilometres: '{count} km',
    vertexAdded: 'Vertice {count} aggiunto.',
    vertexRemoved: 'Ultimo vertice tolto, ne restano {count}.',
  },
)
