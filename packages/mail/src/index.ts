export {
  createMailer,
  MailDeliveryError,
  type Mailer,
  type MailerOptions,
  type OutgoingMail,
  type SentMail,
} from './mailer'
