import path from 'node:path'
import { z } from 'zod'

/**
 * Configuration from environment variables, validated once at start. Every variable is
 * documented in .env.example at the repository root.
 */

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)))

const ms = (fallback: number, min: number) => z.coerce.number().int().min(min).default(fallback)

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  DB_POOL_MAX: z.coerce.number().int().min(2).max(200).default(10),
  SEED_DEMO: bool(true),
  DEMO_PASSWORD: z.string().min(8).default('carbon-sync-demo'),
  DEMO_DATA_YEAR: z.coerce.number().int().min(2000).max(2099).optional(),
  BULK_PATH_PURE_ASYNC: bool(true),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(50 * 1024 * 1024),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  HEARTBEAT_INTERVAL_MS: ms(5000, 10),
  STALE_AFTER_MS: ms(30000, 50),
  POLL_INTERVAL_MS: ms(1000, 10),
  RECLAIM_INTERVAL_MS: ms(10000, 10),
  SHUTDOWN_GRACE_MS: ms(10000, 0),
  PROGRESS_INTERVAL_MS: ms(250, 0),
  SSE_POLL_INTERVAL_MS: ms(250, 10),
  SSE_KEEPALIVE_MS: ms(15000, 100),
  SESSION_TTL_HOURS: z.coerce.number().min(0.01).default(12),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
})

export type Env = z.infer<typeof envSchema>

export interface Config extends Omit<Env, 'DATA_DIR'> {
  /** Absolute path of the PGlite data directory. */
  DATA_DIR: string
}

export class ConfigError extends Error {}

/** Reads and checks the environment; throws a ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const value = parsed.data
  if (value.STALE_AFTER_MS <= value.HEARTBEAT_INTERVAL_MS * 3) {
    throw new ConfigError(
      'Invalid configuration:\n  STALE_AFTER_MS must exceed 3 x HEARTBEAT_INTERVAL_MS, so that a pod that stops after three failed heartbeats stops before its job is reclaimed',
    )
  }
  // pnpm runs package scripts inside the package; INIT_CWD is where the user typed the command.
  const base = env.INIT_CWD ?? process.cwd()
  return Object.freeze({ ...value, DATA_DIR: path.resolve(base, value.DATA_DIR) })
}

/** A configuration for tests and tools: defaults plus overrides, never the process env. */
export function testConfig(overrides: Partial<Record<keyof Env, string>> = {}): Config {
  return loadConfig({ LOG_LEVEL: 'silent', SEED_DEMO: 'false', ...overrides })
}
