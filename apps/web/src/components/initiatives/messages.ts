import { defineMessages } from '../../i18n/screen-messages'

/** The initiatives screens' own strings, in both languages. */
export const initiativeMessages = defineMessages(
  {
    title: 'Initiatives',
    explanation:
      'An initiative gathers things of every kind on the map under one name — a programme of the City, a network of neighbourhood houses — so you can see them together. Its curators, the platform’s moderators, decide what belongs to it.',
    empty: 'There is no initiative yet.',
    loading: 'Loading…',
    things: '{count} things',
    backToList: 'All initiatives',
    showOnMap: 'Show on the map',
    thingsTitle: 'Its things',
    noThings: 'Nothing belongs to it yet.',
    curate: 'Add things',
    curateHint: 'As a curator you may add things of any kind and take them out.',
    search: 'Search the map',
    searchNone: 'Nothing on the map matches.',
    add: 'Add {name}',
    remove: 'Remove {name}',
    added: '{name} is now part of it.',
    removed: '{name} is no longer part of it.',
  },
  {
    title: 'Iniziative',
    explanation:
      'Un’iniziativa raccoglie cose di ogni tipo sulla mappa sotto un unico nome — un programma della Città, una rete di case del quartiere — così puoi vederle insieme. I suoi curatori, i moderatori della piattaforma, decidono che cosa ne fa parte.',
    empty: 'Non c’è ancora nessuna iniziativa.',
    loading: 'Caricamento…',
    things: '{count} cose',
    backToList: 'Tutte le iniziative',
    showOnMap: 'Mostra sulla mappa',
    thingsTitle: 'Le sue cose',
    noThings: 'Non ne fa ancora parte nulla.',
    curate: 'Aggiungi cose',
    curateHint: 'Come curatore puoi aggiungere cose di ogni tipo e toglierle.',
    search: 'Cerca sulla mappa',
    searchNone: 'Nulla sulla mappa corrisponde.',
    add: 'Aggiungi {name}',
    remove: 'Togli {name}',
    added: '{name} ora ne fa parte.',
    removed: '{name} non ne fa più parte.',
  },
)
