import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Account,
  CreditLineBody,
  CreditLineParams,
  Currency,
  CurrencyCodeParams,
  CurrencyCreateBody,
  CurrencyHolderList,
  CurrencyHoldersQuery,
  CurrencyList,
  CurrencyListQuery,
  currencyHoldersPageSizeDefault,
  currencyPageSizeDefault,
  IssuingGroupList,
  issuingGroupsMax,
  MintBody,
  RedemptionBody,
  Transfer,
  TransferCaps,
} from '@quartiere/contracts'
import {
  createCurrency,
  currenciesForViewer,
  currencyForViewer,
  currencyTerms,
  getCurrency,
  issuingGroupsOf,
  listCurrencies,
  listCurrencyHolders,
  mintCurrency,
  redeemCoupons,
  setCreditLine,
  setTransferCaps,
} from '@quartiere/ledger'
import { Type } from 'typebox'
import { communityLedgerProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'
import { guard, IdempotencyHeaders, idempotencyKey, ledgerErrors, sendTransfer } from './ledger-http'

/**
 * Community currencies issued by groups: coins and coupons on the same double-entry ledger as time credits.
 * Paying in a community currency is `POST /api/ledger/transfers` with its `currency`; balances per currency are
 * `GET /api/ledger/accounts`.
 */
export function currenciesRoutes({ database, ledger }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.post(
      '/api/ledger/currencies',
      {
        schema: {
          tags: ['currencies'],
          summary: 'Issue a community currency for a group you manage (a coin, or a redeemable coupon)',
          security: [{ bearer: [] }],
          body: CurrencyCreateBody,
          response: { 201: Currency, ...ledgerErrors },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request)
        const result = unwrap(await createCurrency(db, actor, request.body), communityLedgerProblem)
        return reply
          .status(201)
          .header('Location', `/api/ledger/currencies/${result.currency.code}`)
          .send(await currencyForViewer(db, actor, result.currency))
      },
    )

    app.get(
      '/api/ledger/currencies',
      {
        schema: {
          tags: ['currencies'],
          summary: 'Currencies by code, with their supply; ?issuerGroupId= for one group’s',
          querystring: CurrencyListQuery,
          response: { 200: CurrencyList, ...errorResponses(400) },
        },
      },
      async (request) => {
        const { limit = currencyPageSizeDefault, cursor, issuerGroupId } = request.query
        const result = unwrap(
          await listCurrencies(db, {
            limit,
            ...(cursor ? { cursor } : {}),
            ...(issuerGroupId ? { issuerGroupId } : {}),
          }),
          communityLedgerProblem,
        )
        return {
          items: await currenciesForViewer(db, request.actor, result.items),
          nextCursor: result.nextCursor,
        }
      },
    )

    app.get(
      '/api/ledger/currencies/issuing-groups',
      {
        schema: {
          tags: ['currencies'],
          summary: 'The groups you may issue a currency for (those you own or manage), by title',
          security: [{ bearer: [] }],
          response: { 200: IssuingGroupList, ...errorResponses(401) },
        },
      },
      async (request) => ({ items: await issuingGroupsOf(db, requireActor(request), issuingGroupsMax) }),
    )

    app.get(
      '/api/ledger/currencies/:code/holders',
      {
        schema: {
          tags: ['currencies'],
          summary:
            'The accounts holding a community currency, with their holder’s name (the issuing managers)',
          security: [{ bearer: [] }],
          params: CurrencyCodeParams,
          querystring: CurrencyHoldersQuery,
          response: { 200: CurrencyHolderList, ...ledgerErrors },
        },
      },
      async (request) => {
        const { limit = currencyHoldersPageSizeDefault, cursor } = request.query
        const result = unwrap(
          await listCurrencyHolders(db, requireActor(request), request.params.code, {
            limit,
            ...(cursor ? { cursor } : {}),
          }),
          communityLedgerProblem,
        )
        return { items: result.items, nextCursor: result.nextCursor }
      },
    )

    app.get(
      '/api/ledger/currencies/:code',
      {
        schema: {
          tags: ['currencies'],
          summary:
            'A currency: its terms’ hash and its supply (minted, redeemed, outstanding, what may still be minted)',
          params: CurrencyCodeParams,
          response: { 200: Currency, ...errorResponses(404) },
        },
      },
      async (request) => {
        const currency = await getCurrency(db, request.params.code)
        if (!currency) throw new ApiError(404, 'currency_not_found', `no currency ${request.params.code}`)
        return currencyForViewer(db, request.actor, currency)
      },
    )

    app.get(
      '/api/ledger/currencies/:code/terms',
      {
        schema: {
          tags: ['currencies'],
          summary:
            'The terms document the currency was issued under, as text; its SHA-256 in the Digest header',
          params: CurrencyCodeParams,
          response: { 200: Type.String(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        const terms = await currencyTerms(db, request.params.code)
        if (!terms) throw new ApiError(404, 'currency_not_found', `no currency ${request.params.code}`)
        return reply
          .type('text/plain; charset=utf-8')
          .header('ETag', `"${terms.terms_sha256}"`)
          .header('Repr-Digest', `sha-256=:${Buffer.from(terms.terms_sha256, 'hex').toString('base64')}:`)
          .send(terms.terms)
      },
    )

    app.post(
      '/api/ledger/currencies/:code/mint',
      {
        schema: {
          tags: ['currencies'],
          summary:
            'Mint new units into a member’s or group’s account (the issuing group’s managers), within the cap',
          description:
            'A posted transfer from the currency’s issuance account, exactly once per idempotency key. 422 supply_cap_reached when it would pass the cap.',
          security: [{ bearer: [] }],
          params: CurrencyCodeParams,
          headers: IdempotencyHeaders,
          body: MintBody,
          response: { 200: Transfer, 201: Transfer, ...ledgerErrors },
        },
      },
      async (request, reply) => {
        const id = idempotencyKey(request, request.body.id, true)!
        const result = await guard(() =>
          mintCurrency(ledger, requireActor(request), request.params.code, { ...request.body, id }),
        )
        return sendTransfer(reply, unwrap(result, communityLedgerProblem))
      },
    )

    app.post(
      '/api/ledger/currencies/:code/redemptions',
      {
        schema: {
          tags: ['currencies'],
          summary:
            'Redeem coupons with their issuer: they go back to the issuance account and the supply shrinks',
          security: [{ bearer: [] }],
          params: CurrencyCodeParams,
          headers: IdempotencyHeaders,
          body: RedemptionBody,
          response: { 200: Transfer, 201: Transfer, ...ledgerErrors },
        },
      },
      async (request, reply) => {
        const id = idempotencyKey(request, request.body.id, true)!
        const result = await guard(() =>
          redeemCoupons(ledger, requireActor(request), request.params.code, { ...request.body, id }),
        )
        return sendTransfer(reply, unwrap(result, communityLedgerProblem))
      },
    )

    app.put(
      '/api/ledger/currencies/:code/caps',
      {
        schema: {
          tags: ['currencies'],
          summary:
            "Cap what one member account may send, per transfer and per UTC day (an admin; a community currency's issuing managers)",
          security: [{ bearer: [] }],
          params: CurrencyCodeParams,
          body: TransferCaps,
          response: { 200: Currency, ...ledgerErrors },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const { currency } = unwrap(
          await setTransferCaps(db, actor, request.params.code, request.body),
          communityLedgerProblem,
        )
        return currencyForViewer(db, actor, currency)
      },
    )

    app.put(
      '/api/ledger/currencies/:code/accounts/:accountId/credit-line',
      {
        schema: {
          tags: ['currencies'],
          summary:
            'Give a holder a credit line (the issuing group’s managers; not for currencies with a cap)',
          security: [{ bearer: [] }],
          params: CreditLineParams,
          body: CreditLineBody,
          response: { 200: Account, ...ledgerErrors },
        },
      },
      async (request) =>
        unwrap(
          await setCreditLine(
            db,
            requireActor(request),
            request.params.code,
            request.params.accountId,
            request.body.creditLine,
          ),
          communityLedgerProblem,
        ).account,
    )
  }
}
