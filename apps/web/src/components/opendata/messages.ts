import { defineMessages } from '../../i18n/screen-messages'

export const openDataMessages = defineMessages(
  {
    title: 'Open data',
    intro:
      'What is on the map is open data: anyone may copy, share and build on it, naming its source and sharing alike under the same licence.',
    licence: 'Licence:',
    ogc: 'OGC API – Features (QGIS, ArcGIS, GDAL)',
    ogcHint:
      'In QGIS: Layer ▸ Add Layer ▸ Add WFS / OGC API – Features Layer ▸ New, paste this address, choose “OGC API – Features”, then Connect.',
    ogcUrl: 'Address of the OGC API',
    tiles: 'Vector tiles',
    tilesHint:
      'Mapbox Vector Tiles, one layer per kind of thing; TileJSON describes them for MapLibre and QGIS.',
    tileTemplate: 'Tile address template',
    tileJson: 'TileJSON',
    downloads: 'Downloads',
    downloadsHint: 'Every public thing on the map, in one file. Personal details are never in it.',
    format: 'Format',
    file: 'File',
    mediaType: 'Media type',
    fileLicence: 'Licence',
    downloadFormat: 'Download {format}',
    calendar: 'Events calendar',
    calendarUrl: 'Address of the events calendar (iCalendar)',
    statistics: 'Time-bank statistics',
    statisticsHint:
      'Exchanges per month, category and neighbourhood-sized cell, k-anonymous: a cell with fewer members or exchanges than the floor (5 at least) is left out.',
    statisticsDownload: 'Download the statistics (CSV)',
    statisticsSaved: 'Saved as {name}.',
    recipes: 'Recipes',
    recipesHint: 'Copy and paste: each one reads the data straight from this site.',
    recipeOgr: 'GDAL (ogr2ogr): copy everything into a GeoPackage',
    recipeQgis: 'QGIS Python console: add the things as a layer',
    recipeR: 'R (sf)',
    recipePython: 'Python (geopandas)',
  },
  {
    title: 'Dati aperti',
    intro:
      'Ciò che è sulla mappa è un dato aperto: chiunque può copiarlo, condividerlo e riusarlo, citando la fonte e condividendo allo stesso modo con la stessa licenza.',
    licence: 'Licenza:',
    ogc: 'OGC API – Features (QGIS, ArcGIS, GDAL)',
    ogcHint:
      'In QGIS: Layer ▸ Aggiungi layer ▸ Aggiungi layer WFS / OGC API – Features ▸ Nuovo, incolla questo indirizzo, scegli “OGC API – Features”, poi Connetti.',
    ogcUrl: "Indirizzo dell'OGC API",
    tiles: 'Tile vettoriali',
    tilesHint:
      'Mapbox Vector Tiles, un layer per tipo di elemento; il TileJSON le descrive per MapLibre e QGIS.',
    tileTemplate: 'Modello di indirizzo delle tile',
    tileJson: 'TileJSON',
    downloads: 'Scaricamenti',
    downloadsHint: 'Tutti gli elementi pubblici della mappa, in un file. I dati personali non ci sono mai.',
    format: 'Formato',
    file: 'File',
    mediaType: 'Tipo di contenuto',
    fileLicence: 'Licenza',
    downloadFormat: 'Scarica {format}',
    calendar: 'Calendario degli eventi',
    calendarUrl: 'Indirizzo del calendario degli eventi (iCalendar)',
    statistics: 'Statistiche della banca del tempo',
    statisticsHint:
      'Scambi per mese, categoria e cella grande come un quartiere, k-anonimi: una cella con meno membri o scambi della soglia (almeno 5) non compare.',
    statisticsDownload: 'Scarica le statistiche (CSV)',
    statisticsSaved: 'Salvato come {name}.',
    recipes: 'Ricette',
    recipesHint: 'Copia e incolla: ognuna legge i dati direttamente da questo sito.',
    recipeOgr: 'GDAL (ogr2ogr): copia tutto in un GeoPackage',
    recipeQgis: 'Console Python di QGIS: aggiungi gli elementi come layer',
    recipeR: 'R (sf)',
    recipePython: 'Python (geopandas)',
  },
)
