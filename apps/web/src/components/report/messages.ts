import { defineMessages } from '../../i18n/screen-messages'

/** The strings of the report dialog. */
export const reportMessages = defineMessages(
  {
    'title.entity': 'Report this place or thing',
    'title.post': 'Report this message',
    'title.comment': 'Report this comment',
    'title.media': 'Report this photo',
    intro:
      'The moderators read every report. Tell them what is wrong; you will be notified of what they decide.',
    reason: 'What is wrong?',
    'reason.spam': 'Spam or advertising',
    'reason.harassment': 'Harassment or bullying',
    'reason.hate': 'Hate against a person or group',
    'reason.misinformation': 'False or misleading information',
    'reason.privacy': 'It exposes someone’s private life',
    'reason.illegal': 'Something illegal',
    'reason.other': 'Something else',
    details: 'Details (optional)',
    detailsHint: 'Anything that helps the moderators understand, up to {max} characters.',
    send: 'Send report',
    sending: 'Sending…',
    sent: 'Thank you: your report reached the moderators. You will be notified when they act on it.',
    already:
      'You have already reported this, and your report is still waiting for the moderators. You will be notified when they act on it.',
  },
  {
    'title.entity': 'Segnala questo luogo o elemento',
    'title.post': 'Segnala questo messaggio',
    'title.comment': 'Segnala questo commento',
    'title.media': 'Segnala questa foto',
    intro:
      'I moderatori leggono ogni segnalazione. Di’ loro che cosa non va; ti sarà notificato che cosa decidono.',
    reason: 'Che cosa non va?',
    'reason.spam': 'Spam o pubblicità',
    'reason.harassment': 'Molestie o bullismo',
    'reason.hate': 'Odio verso una persona o un gruppo',
    'reason.misinformation': 'Informazioni false o fuorvianti',
    'reason.privacy': 'Espone la vita privata di qualcuno',
    'reason.illegal': 'Qualcosa di illegale',
    'reason.other': 'Altro',
    details: 'Dettagli (facoltativo)',
    detailsHint: 'Quel che aiuta i moderatori a capire, fino a {max} caratteri.',
    send: 'Invia la segnalazione',
    sending: 'Invio…',
    sent: 'Grazie: la segnalazione è arrivata ai moderatori. Ti sarà notificato quando decidono.',
    already:
      'Hai già segnalato questo contenuto, e la segnalazione aspetta ancora i moderatori. Ti sarà notificato quando decidono.',
  },
)
