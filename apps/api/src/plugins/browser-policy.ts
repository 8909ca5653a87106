import { IncomingMessage, ServerResponse } from 'node:http'
import { Socket } from 'node:net'
import cors from '@fastify/cors'
import type { FastifyInstance } from 'fastify'
import helmet, { type HelmetOptions } from 'helmet'
import type { BrowserPolicyConfig } from '../config'

/** Headers a browser client may send and read, beyond the CORS-safelisted ones. */
const requestHeaders = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match']
const exposedHeaders = [
  'ETag',
  'Location',
  'Link',
  'Retry-After',
  'Content-Disposition',
  'X-Data-License',
  'X-Data-Attribution',
  'X-K-Anonymity',
]

/**
 * What browsers may do with our responses. Every response carries helmet's security headers and one content
 * security policy, written for the web client we serve (its browser tests run under it): scripts, styles and
 * workers only from this origin, data from this origin and the
 * basemap's. The API answers to other origins' pages only when CORS_ORIGINS lists them; it never asks for
 * credentials, since access tokens travel in the Authorization header, not in cookies.
 */
export async function installBrowserPolicy(app: FastifyInstance, config: BrowserPolicyConfig) {
  const basemap = config.basemapOrigins
  const headers = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:', 'blob:', ...basemap],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'", ...basemap],
        'worker-src': ["'self'"],
        // The web app manifest (and the service worker, under worker-src) come from this origin only.
        'manifest-src': ["'self'"],
        'child-src': ["'self'"],
        'object-src': ["'none'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    // Researchers' pages on other origins may load our tiles and exports once CORS allows them.
    crossOriginResourcePolicy: { policy: config.corsOrigins.length ? 'cross-origin' : 'same-origin' },
  })
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
  })
  await app.register(cors, {
    origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins.length ? config.corsOrigins : false,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: requestHeaders,
    exposedHeaders,
    maxAge: 600,
    strictPreflight: true,
  })
}

/**
 * helmet's headers for these options, worked out once. With no per-request nonces they are the same for every
 * response, and building helmet's middleware parses the policy again each time (which is what the Fastify
 * plugin does on every request: a measurable share of a small request's CPU).
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  // A response that is never sent: helmet sets and removes its headers on it like on any other.
  const request = new IncomingMessage(new Socket())
  const response = new ServerResponse(request)
  let failure: unknown
  helmet(options)(request, response, (error?: unknown) => {
    failure = error
  })
  if (failure) throw failure
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.getHeaders())) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return headers
}
