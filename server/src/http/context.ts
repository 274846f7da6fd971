import type { Config } from '../config.ts'
import type { Database } from '../db/client.ts'
import type { Logger } from '../log.ts'
import type { Metrics } from '../metrics.ts'

/** What the HTTP layer is built with. */
export interface AppContext {
  database: Database
  config: Config
  log: Logger
  metrics: Metrics
  /** Directory of the built SPA, if it is served by this process. */
  staticDir?: string
}
