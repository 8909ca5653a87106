import { defineMessages } from '../../i18n/screen-messages'

/** The account page's strings. */
export const accountMessages = defineMessages(
  {
    title: 'My account',
    profile: 'Profile',
    displayName: 'Name others see',
    email: 'Email: {email}',
    language: 'Language',
    saveProfile: 'Save profile',
    profileSaved: 'Profile saved.',
    password: 'Password',
    passwordRules:
      'A new password needs at least 10 characters and must not be your email or your name. Changing it signs out your other devices.',
    currentPassword: 'Current password',
    newPassword: 'New password',
    changePassword: 'Change password',
    passwordChanged: 'Password changed. Your other devices are signed out.',
    sessions: 'Devices',
    sessionsHint:
      'Signs out every device where you are logged in, this one too. A device that is using the site stops within a few minutes.',
    signOutEverywhere: 'Sign out everywhere',
    following: 'What I follow',
    followingNone: 'You follow nothing yet. Open a thing on the map and choose “Follow”.',
    stopFollowing: 'Stop following',
    unfollowed: 'You no longer follow {title}.',
    things: 'My things',
    thingsNone: 'You have not put anything on the map yet.',
    posts: 'My posts',
    postsNone: 'You have not posted anything yet.',
    untitledPost: 'Post of {date}',
    showOnMap: 'Show {title} on the map',
    showPostOnMap: 'Show on the map the thing of the post “{title}”',
    more: 'Show more',
    myData: 'My data',
    myDataHint:
      'Everything the platform holds about you, in one JSON file: profile, accounts and transfers, things, posts, comments, groups, follows and more.',
    download: 'Download my data',
    downloaded: 'Saved as {name}.',
    erase: 'Erase my account',
    eraseIntro: 'Erasing your account cannot be undone. This is what happens:',
    eraseGoes:
      'Gone: your email, name and password, your sessions, group memberships, follows, notifications, reports you made and your images.',
    eraseStays:
      'Kept without your name: your things on the map, posts and comments stay, signed “Former member”. Things at a private location (your home) are deleted.',
    eraseLedger:
      'Kept for the others’ books: your transfers stay on accounts frozen at their balance, under a pseudonym that leads to no one. Debts are not cancelled.',
    eraseBlocked:
      'Not possible while an exchange or hold of yours is in progress, while you are the only owner of a group, while a campaign of yours runs, or while you are the last admin.',
    eraseContinue: 'I understand, continue',
    erasePassword: 'Your password, to confirm',
    eraseConfirm: 'Erase my account for good',
    openWallet: 'Open my wallet',
    openGroup: 'Open the group on the map',
  },
  {
    title: 'Il mio account',
    profile: 'Profilo',
    displayName: 'Nome che vedono gli altri',
    email: 'Email: {email}',
    language: 'Lingua',
    saveProfile: 'Salva il profilo',
    profileSaved: 'Profilo salvato.',
    password: 'Password',
    passwordRules:
      'Una nuova password deve avere almeno 10 caratteri e non può essere la tua email o il tuo nome. Cambiarla disconnette gli altri tuoi dispositivi.',
    currentPassword: 'Password attuale',
    newPassword: 'Nuova password',
    changePassword: 'Cambia password',
    passwordChanged: 'Password cambiata. Gli altri tuoi dispositivi sono stati disconnessi.',
    sessions: 'Dispositivi',
    sessionsHint:
      'Disconnette tutti i dispositivi su cui hai fatto l’accesso, anche questo. Un dispositivo che sta usando il sito si ferma entro pochi minuti.',
    signOutEverywhere: 'Esci da tutti i dispositivi',
    following: 'Cosa seguo',
    followingNone: 'Non segui ancora nulla. Apri un elemento sulla mappa e scegli “Segui”.',
    stopFollowing: 'Smetti di seguire',
    unfollowed: 'Non segui più {title}.',
    things: 'I miei elementi',
    thingsNone: 'Non hai ancora messo nulla sulla mappa.',
    posts: 'I miei post',
    postsNone: 'Non hai ancora pubblicato nulla.',
    untitledPost: 'Post del {date}',
    showOnMap: 'Mostra {title} sulla mappa',
    showPostOnMap: 'Mostra sulla mappa l’elemento del post “{title}”',
    more: 'Mostra altri',
    myData: 'I miei dati',
    myDataHint:
      'Tutto ciò che la piattaforma conserva su di te, in un file JSON: profilo, conti e trasferimenti, elementi, post, commenti, gruppi, cosa segui e altro.',
    download: 'Scarica i miei dati',
    downloaded: 'Salvato come {name}.',
    erase: 'Cancella il mio account',
    eraseIntro: 'La cancellazione dell’account non si può annullare. Ecco cosa succede:',
    eraseGoes:
      'Spariscono: email, nome e password, le sessioni, le iscrizioni ai gruppi, cosa segui, le notifiche, le segnalazioni che hai fatto e le tue immagini.',
    eraseStays:
      'Restano senza il tuo nome: i tuoi elementi sulla mappa, i post e i commenti, firmati “Former member” (ex membro). Gli elementi in un luogo privato (casa tua) vengono eliminati.',
    eraseLedger:
      'Restano per i conti degli altri: i tuoi trasferimenti, su conti congelati al loro saldo, sotto uno pseudonimo che non porta a nessuno. I debiti non si cancellano.',
    eraseBlocked:
      'Non è possibile finché hai uno scambio o una prenotazione in corso, sei l’unico proprietario di un gruppo, una tua campagna è in corso o sei l’ultimo amministratore.',
    eraseContinue: 'Ho capito, continua',
    erasePassword: 'La tua password, per confermare',
    eraseConfirm: 'Cancella il mio account per sempre',
    openWallet: 'Apri il mio portafoglio',
    openGroup: 'Apri il gruppo sulla mappa',
  },
)
