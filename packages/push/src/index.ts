/**
 * Web push: members' devices (push_subscriptions), the server's VAPID keys, and the sender that turns committed
 * `notification.created` outbox events into encrypted push messages (RFC 8030, 8291, 8292).
 */
export {
  checkEndpoint,
  defaultPushHosts,
  type EndpointCheck,
  type EndpointRule,
  endpointLengthMax,
} from './endpoint-rule'
export {
  createPushSender,
  type DeliveryResult,
  type PushSender,
  type PushSenderLog,
  type PushSenderOptions,
  pushSenderDefaults,
} from './sender'
export {
  deletePushDevice,
  deviceLabelLengthMax,
  erasePushSubscriptions,
  listPushDevices,
  type PushDevice,
  type PushFailure,
  type PushOutcome,
  type PushSubscriptionInput,
  pushDevicesPerUserMax,
  pushDevicesSectionSql,
  pushUserReferences,
  savePushSubscription,
} from './subscriptions.service'
export { loadVapidKeys, type VapidKeyOptions, type VapidKeys } from './vapid'
export { type PushLocale, type PushMessage, payloadBytesMax, pushMessageOf } from './wording'
