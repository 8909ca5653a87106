import { defineMessages } from '../../i18n/screen-messages'

/** The strings of password recovery and address confirmation. */
export const emailLinkMessages = defineMessages(
  {
    forgotTitle: 'Forgot your password?',
    forgotHint:
      'Write the email address of your account. We will send a link to it: open it soon (it works for a short while) to choose a new password.',
    sendLink: 'Send the link',
    backToLogin: 'Back to log in',
    forgotSent:
      'If an account uses {email}, a message with the link is on its way. Check your inbox (and the spam folder). The link works once, for a short while; choosing a new password signs you out everywhere.',
    resetTitle: 'Choose a new password',
    resetHint: 'At least 10 characters, not your email or your name. Every device will be signed out.',
    newPassword: 'New password',
    setPassword: 'Set the new password',
    resetDone: 'Your password is changed. Log in with it.',
    logIn: 'Log in',
    noToken:
      'This page opens from the link in the message we sent you. Ask for a new link from the log-in window.',
    askAgain: 'Ask for a new link',
    verifyTitle: 'Confirm your email address',
    verifying: 'Confirming your address…',
    verified:
      'Your email address is confirmed. You can now pay and be paid without the limit for new accounts.',
    toWallet: 'Go to the wallet',
    noticeTitle: 'Confirm your email address',
    notice:
      'We sent a link to {email}. Until you open it, you can pay and be paid only small amounts: confirming the address shows that a real person can be reached there, which keeps fake accounts from moving credits.',
    resend: 'Send the link again',
    resent: 'A new link is on its way to {email}.',
  },
  {
    forgotTitle: 'Hai dimenticato la password?',
    forgotHint:
      'Scrivi l’indirizzo email del tuo account. Ti invieremo un link: aprilo presto (funziona per poco tempo) per scegliere una nuova password.',
    sendLink: 'Invia il link',
    backToLogin: 'Torna all’accesso',
    forgotSent:
      'Se un account usa {email}, un messaggio con il link sta arrivando. Controlla la posta (anche lo spam). Il link funziona una sola volta, per poco tempo; con la nuova password esci da ogni dispositivo.',
    resetTitle: 'Scegli una nuova password',
    resetHint: 'Almeno 10 caratteri, diversa dalla tua email e dal tuo nome. Uscirai da ogni dispositivo.',
    newPassword: 'Nuova password',
    setPassword: 'Imposta la nuova password',
    resetDone: 'La password è cambiata. Accedi con la nuova password.',
    logIn: 'Accedi',
    noToken:
      'Questa pagina si apre dal link nel messaggio che ti abbiamo inviato. Chiedi un nuovo link dalla finestra di accesso.',
    askAgain: 'Chiedi un nuovo link',
    verifyTitle: 'Conferma il tuo indirizzo email',
    verifying: 'Stiamo confermando il tuo indirizzo…',
    verified:
      'Il tuo indirizzo email è confermato. Ora puoi pagare e ricevere senza il limite dei nuovi account.',
    toWallet: 'Vai al portafoglio',
    noticeTitle: 'Conferma il tuo indirizzo email',
    notice:
      'Abbiamo inviato un link a {email}. Finché non lo apri puoi pagare e ricevere solo piccole somme: confermare l’indirizzo mostra che lì si raggiunge una persona vera, e impedisce ad account falsi di muovere crediti.',
    resend: 'Invia di nuovo il link',
    resent: 'Un nuovo link sta arrivando a {email}.',
  },
)
