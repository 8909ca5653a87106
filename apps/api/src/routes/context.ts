import type { TokenIssuer } from '@quartiere/auth'
import type { Database } from '@quartiere/db'
import type { Ledger } from '@quartiere/ledger'
import type { Mailer } from '@quartiere/mail'
import type { Config } from '../config'

/** What routes get from the composition root. */
export interface RouteContext {
  config: Config
  database: Database
  tokens: TokenIssuer
  ledger: Ledger
  /** Sends email (SMTP_URL), or writes it to DATA_DIR/mail. */
  mailer: Mailer
}
