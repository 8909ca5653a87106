import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  Account,
  AccountLimitsBody,
  AccountList,
  EntityIdParams,
  Exchange,
  ExchangeCreateBody,
  ExchangeList,
  IssuanceBody,
  ledgerPageSizeDefault,
  PageQuery,
  Statement,
  StatementQuery,
  Transfer,
  TransferCreateBody,
  TransferPostBody,
} from '@quartiere/contracts'
import {
  accountStatement,
  cancelExchange,
  confirmExchange,
  createTransfer,
  findAccount,
  getTransfer,
  issueCredits,
  listAccountsOf,
  listExchanges,
  mayOperate,
  memberAccountsForLimits,
  openExchange,
  resolveHold,
  setAccountLimits,
  statementCsv,
  toAccountView,
} from '@quartiere/ledger'
import { Type } from 'typebox'
import { ledgerProblem, unwrap } from '../outcome-problems'
import { requireActor } from '../plugins/authentication'
import { ApiError, errorResponses } from '../problem'
import type { RouteContext } from './context'
import { guard, IdempotencyHeaders, idempotencyKey, ledgerErrors, sendTransfer } from './ledger-http'
import { urlWithCursor } from './links'

export function ledgerRoutes({ database, ledger }: RouteContext): FastifyPluginAsyncTypebox {
  const { db } = database
  return async (app) => {
    app.get(
      '/api/ledger/accounts',
      {
        schema: {
          tags: ['ledger'],
          summary:
            'My accounts, and those of the groups I manage, with balance, available, pending and limits',
          security: [{ bearer: [] }],
          response: { 200: AccountList, ...errorResponses(401) },
        },
      },
      async (request) => ({ items: await listAccountsOf(db, requireActor(request)), nextCursor: null }),
    )

    app.get(
      '/api/ledger/accounts/:id',
      {
        schema: {
          tags: ['ledger'],
          summary: 'One of my accounts',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          response: { 200: Account, ...ledgerErrors },
        },
      },
      async (request) => {
        const actor = requireActor(request)
        const account = await findAccount(db, request.params.id)
        if (!account || (actor.role !== 'admin' && !(await mayOperate(db, actor, account)))) {
          throw new ApiError(404, 'not_found', `no account ${request.params.id} of yours`)
        }
        return toAccountView(db, account)
      },
    )

    app.patch(
      '/api/ledger/accounts/:id/limits',
      {
        schema: {
          tags: ['ledger'],
          summary: "Set an account's credit line and upper limit (admin)",
          security: [{ bearer: [] }],
          params: EntityIdParams,
          body: AccountLimitsBody,
          response: { 200: Account, ...ledgerErrors },
        },
      },
      async (request) =>
        unwrap(
          await setAccountLimits(db, requireActor(request), request.params.id, request.body),
          ledgerProblem,
        ).account,
    )

    app.get(
      '/api/ledger/members/:id/accounts',
      {
        schema: {
          tags: ['ledger'],
          summary: "A member's accounts in every currency, with their limits (admin, to change them)",
          security: [{ bearer: [] }],
          params: EntityIdParams,
          response: { 200: AccountList, ...ledgerErrors },
        },
      },
      async (request) => ({
        items: unwrap(
          await memberAccountsForLimits(db, requireActor(request), request.params.id),
          ledgerProblem,
        ).accounts,
        nextCursor: null,
      }),
    )

    app.get(
      '/api/ledger/accounts/:id/transfers',
      {
        schema: {
          tags: ['ledger'],
          summary: 'The statement: newest first, each line with the running balance; ?format=csv for CSV',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          querystring: StatementQuery,
          response: { 200: Statement, ...ledgerErrors },
        },
      },
      async (request, reply) => {
        const { limit = ledgerPageSizeDefault, cursor, format } = request.query
        const result = unwrap(
          await accountStatement(db, requireActor(request), request.params.id, {
            limit,
            ...(cursor ? { cursor } : {}),
          }),
          ledgerProblem,
        )
        if (format === 'csv') {
          if (result.statement.nextCursor)
            reply.header('Link', `<${urlWithCursor(request, result.statement.nextCursor)}>; rel="next"`)
          return reply
            .type('text/csv; charset=utf-8')
            .header('Content-Disposition', `attachment; filename="statement-${request.params.id}.csv"`)
            .send(statementCsv(result.statement.items) as never)
        }
        return result.statement
      },
    )

    app.post(
      '/api/ledger/transfers',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Pay, or hold (pending), credits; exactly once per idempotency key',
          description:
            'Send the key as the Idempotency-Key header or the body `id`. 201 when done now, 200 when this key was done before (same transfer, or the same refusal).',
          security: [{ bearer: [] }],
          headers: IdempotencyHeaders,
          body: TransferCreateBody,
          response: { 200: Transfer, 201: Transfer, ...ledgerErrors },
        },
      },
      async (request, reply) => {
        const id = idempotencyKey(request, request.body.id, true)!
        const result = await guard(() =>
          createTransfer(ledger, requireActor(request), { ...request.body, id }),
        )
        return sendTransfer(reply, unwrap(result, ledgerProblem))
      },
    )

    app.get(
      '/api/ledger/transfers/:id',
      {
        schema: {
          tags: ['ledger'],
          summary: 'A transfer I am a party to',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          response: { 200: Transfer, ...ledgerErrors },
        },
      },
      async (request) =>
        unwrap(await getTransfer(db, requireActor(request), request.params.id), ledgerProblem).transfer,
    )

    for (const action of ['post', 'void'] as const) {
      app.post(
        `/api/ledger/transfers/:id/${action}`,
        {
          schema: {
            tags: ['ledger'],
            summary:
              action === 'post'
                ? 'Post a hold, in full or for less (`amount`): the payer, or an admin'
                : 'Void a hold: the payer, the payee, or an admin',
            security: [{ bearer: [] }],
            params: EntityIdParams,
            headers: IdempotencyHeaders,
            ...(action === 'post' ? { body: Type.Optional(TransferPostBody) } : {}),
            response: { 200: Transfer, 201: Transfer, ...ledgerErrors },
          },
        },
        async (request, reply) => {
          const key = idempotencyKey(request, undefined, false)
          const amount = (request.body as { amount?: string } | undefined)?.amount
          const result = await guard(() =>
            resolveHold(ledger, requireActor(request), request.params.id, action, {
              ...(amount ? { amount } : {}),
              ...(key ? { key } : {}),
            }),
          )
          return sendTransfer(reply, unwrap(result, ledgerProblem))
        },
      )
    }

    app.post(
      '/api/ledger/issuance',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Issue credits from the issuance account into a member or group account (admin)',
          security: [{ bearer: [] }],
          headers: IdempotencyHeaders,
          body: IssuanceBody,
          response: { 200: Transfer, 201: Transfer, ...ledgerErrors },
        },
      },
      async (request, reply) => {
        const id = idempotencyKey(request, request.body.id, true)!
        const result = await guard(() => issueCredits(ledger, requireActor(request), { ...request.body, id }))
        return sendTransfer(reply, unwrap(result, ledgerProblem))
      },
    )

    app.post(
      '/api/entities/:id/exchanges',
      {
        schema: {
          tags: ['ledger'],
          summary:
            'Open an exchange on an offer or a request: the receiver of the service has the hours held',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          headers: IdempotencyHeaders,
          body: ExchangeCreateBody,
          response: { 200: Exchange, 201: Exchange, ...ledgerErrors },
        },
      },
      async (request, reply) => {
        const key = idempotencyKey(request, undefined, false)
        const result = unwrap(
          await openExchange(ledger, requireActor(request), request.params.id, request.body.hours, key),
          ledgerProblem,
        )
        return reply.status(result.replayed ? 200 : 201).send(result.exchange)
      },
    )

    app.get(
      '/api/ledger/exchanges',
      {
        schema: {
          tags: ['ledger'],
          summary: 'My exchanges, as giver or receiver, newest first',
          security: [{ bearer: [] }],
          querystring: PageQuery,
          response: { 200: ExchangeList, ...ledgerErrors },
        },
      },
      async (request) => {
        const { limit = ledgerPageSizeDefault, cursor } = request.query
        const result = unwrap(
          await listExchanges(db, requireActor(request), { limit, ...(cursor ? { cursor } : {}) }),
          ledgerProblem,
        )
        return { items: result.items, nextCursor: result.nextCursor }
      },
    )

    app.post(
      '/api/ledger/exchanges/:id/confirm',
      {
        schema: {
          tags: ['ledger'],
          summary: 'The receiver confirms the service: the held hours (or fewer) are posted',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          body: Type.Optional(
            Type.Object(
              { hours: Type.Optional(ExchangeCreateBody.properties.hours) },
              { additionalProperties: false },
            ),
          ),
          response: { 200: Exchange, ...ledgerErrors },
        },
      },
      async (request) => {
        const hours = (request.body as { hours?: string } | undefined)?.hours
        return unwrap(
          await guard(() => confirmExchange(ledger, requireActor(request), request.params.id, hours)),
          ledgerProblem,
        ).exchange
      },
    )

    app.post(
      '/api/ledger/exchanges/:id/cancel',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Either side cancels the exchange: the held hours are released',
          security: [{ bearer: [] }],
          params: EntityIdParams,
          response: { 200: Exchange, ...ledgerErrors },
        },
      },
      async (request) =>
        unwrap(
          await guard(() => cancelExchange(ledger, requireActor(request), request.params.id)),
          ledgerProblem,
        ).exchange,
    )
  }
}
