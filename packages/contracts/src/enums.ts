/**
 * The closed lists of values the API and the client share, as plain `as const` arrays. This module imports
 * nothing: the web client imports it as `@quartiere/contracts/enums` to list kinds, statuses and categories
 * without pulling the schema library into its bundle, and the TypeBox schemas of this package build their
 * unions from these very arrays, so each list is written once.
 */

/** What a thing on the map is. */
export const entityKinds = [
  'space',
  'group',
  'event',
  'project',
  'news',
  'story',
  'offer',
  'request',
] as const

/**
 * The zoom from which a thing shows on the map when its author does not say (its `zoomLevel`): wide things
 * earlier, small ones later — a project or pact from the city scale, a group from the district, a space, a news
 * item or a story from the neighbourhood, an event, offer or request from the street. The API stores it on
 * create; the web editor proposes the same value, so both read this one table.
 */
export const defaultZoomLevelByKind: Record<(typeof entityKinds)[number], number> = {
  project: 12,
  group: 13,
  space: 14,
  news: 14,
  story: 14,
  event: 15,
  offer: 15,
  request: 15,
}

/** Who may join a group: anyone (open), or whom a manager approves (closed). */
export const groupMembershipPolicies = ['open', 'closed'] as const

/** The lifecycle of a project, and of a pact of collaboration (patto di collaborazione) in particular. */
export const projectStatuses = ['proposal', 'co-design', 'signed', 'active', 'concluded', 'rejected'] as const
export type ProjectStatus = (typeof projectStatuses)[number]
/**
 * Where each project status may go next: proposal → co-design → signed → active → concluded, and a proposal or a
 * co-design may be rejected. The API enforces it on every write of a project's status; a form offers only these.
 * A pact of collaboration starts as a proposal and takes each step through its own route.
 */
export const projectStatusTransitions: Readonly<Record<ProjectStatus, readonly ProjectStatus[]>> = {
  proposal: ['co-design', 'rejected'],
  'co-design': ['signed', 'rejected'],
  signed: ['active'],
  active: ['concluded'],
  concluded: [],
  rejected: [],
}
/** The status every pact of collaboration is created with. */
export const pactInitialStatus: ProjectStatus = 'proposal'
export const projectTypes = ['pact', 'programme', 'initiative', 'other'] as const

/** What an offer or a request of time is about. */
export const skillCategories = [
  'care',
  'education',
  'repairs',
  'gardening',
  'cooking',
  'transport',
  'technology',
  'arts',
  'languages',
  'administration',
  'health',
  'other',
] as const

/** The steps of a pact of collaboration's workflow. */
export const pactStatuses = ['proposal', 'co-design', 'signed', 'active', 'concluded', 'rejected'] as const
export type PactStatus = (typeof pactStatuses)[number]

/** A member's role in a group. */
export const groupRoles = ['owner', 'manager', 'member'] as const
export type GroupRole = (typeof groupRoles)[number]

/** A member's role on the platform. */
export const userRoles = ['member', 'moderator', 'admin', 'researcher'] as const

/**
 * Locked until the owner deposits what it gives back; scheduled before its start; open while it takes pledges;
 * ended when its end passed and it is being settled; then funded (pledges posted, payouts made), stopped by its
 * owner or failed short of its goal (pledges voided, deposit returned).
 */
export const campaignStates = ['locked', 'scheduled', 'open', 'ended', 'funded', 'stopped', 'failed'] as const
export type CampaignState = (typeof campaignStates)[number]

/** Time credits, a community's coins, or coupons a group redeems for goods or services. */
export const currencyKinds = ['time', 'coin', 'coupon'] as const
export type CurrencyKind = (typeof currencyKinds)[number]

/** A transfer's state: posted, held (pending) or voided. */
export const transferStates = ['posted', 'pending', 'voided'] as const

/** What a member may report to the moderators, and why. */
export const reportTargetTypes = ['entity', 'post', 'comment', 'media'] as const
export type ReportTargetType = (typeof reportTargetTypes)[number]
export const reportReasons = [
  'spam',
  'harassment',
  'hate',
  'misinformation',
  'privacy',
  'illegal',
  'other',
] as const
