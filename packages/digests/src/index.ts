/**
 * Email digests (issue #21): each member's daily or weekly message about what they follow and their unread
 * notifications, sent by a job that several instances may run at once; the one-click unsubscribe; and the
 * delivery record that stops mail to an address that keeps bouncing.
 */
export { composeDigest, escapeHtml } from './compose'
export { digestFollowedThingsMax, digestNotificationsMax, readDigestContent } from './content'
export {
  type DigestJobOptions,
  type DigestPassReport,
  digestAttemptsMax,
  digestClaimTimeoutMs,
  digestRetryDelayMs,
  runDigestPass,
} from './job'
export { type DigestSchedule, digestTimeZone, duePeriods } from './periods'
export {
  type DigestSectionReader,
  digestUserReferences,
  eraseMemberMailData,
  exportMemberMailData,
} from './personal-data'
export {
  getEmailPreferences,
  mailFailuresKeptMax,
  recordDelivery,
  resumeMailDelivery,
  setDigestFrequency,
  type UnsubscribeOutcome,
  unsubscribeByToken,
  unsubscribeTokenOf,
} from './preferences'
