import { z } from 'zod'
import {
  jobEventSchema,
  jobSchema,
  pipelineKinds,
  pipelineSchema,
  pipelineStatuses,
  pipelineSummarySchema,
  rowErrorSchema,
  uploadKinds,
  uploadModes,
} from './jobs.ts'

/** Request and response bodies of the HTTP API (SPEC §6). */

/** The largest database id (PostgreSQL's `integer`). */
export const maxDatabaseId = 2_147_483_647
/** An id in a body or a query: a positive integer that fits a database id. */
const id = z.coerce.number().int().positive().max(maxDatabaseId)
export const yearSchema = z.coerce.number().int().min(2000).max(2100)

/** The `:id` of a path; one larger than maxDatabaseId is a well-formed id of nothing (404). */
export const idParamSchema = z.object({ id: z.coerce.number().int().positive() })
export const yearParamSchema = z.object({ year: yearSchema })

export const loginBodySchema = z.object({
  /** Email address of the account. */
  email: z.string().trim().min(3).max(320),
  /** Password of the account. */
  password: z.string().min(1).max(1024),
})

export const meSchema = z.object({
  /** User id. */
  id: z.number().int(),
  /** Email address. */
  email: z.string(),
  /** Name shown to colleagues. */
  displayName: z.string(),
  /** viewer, data_manager or admin. */
  role: z.enum(['viewer', 'data_manager', 'admin']),
  /** Permissions the role grants. */
  permissions: z.array(z.string()),
  /** The user's institution. */
  institution: z.object({ id: z.number().int(), name: z.string() }),
  /** The unit the user is tied to, if any. */
  unitId: z.number().int().nullable(),
})
export type Me = z.infer<typeof meSchema>

export const createTokenBodySchema = z.object({
  /** A name to recognise the token by. */
  name: z.string().trim().min(1).max(100),
})

/** Multipart fields of an upload (the file is the `file` part). */
export const uploadFieldsSchema = z.object({
  /** data, factors or reference. */
  kind: z.enum(uploadKinds).default('data'),
  /** Module type of the data-entry type. */
  moduleTypeId: id,
  /** Data-entry type the file is for. */
  dataEntryTypeId: id,
  /** Reporting year (2000 to 2100). */
  year: yearSchema,
  /** replace (default) or append. */
  mode: z.enum(uploadModes).default('replace'),
  /** Upload for one unit: the file then has no unit_institutional_id column. */
  unitId: z
    .union([z.literal(''), id])
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v)),
  /** Validate only: store nothing and return a report. */
  dryRun: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
})

export const uploadAcceptedSchema = z.object({
  /** Pipeline that processes the upload. */
  pipelineId: z.number().int(),
  /** Its first job. */
  jobId: z.number().int(),
  /** The stored file. */
  uploadId: z.number().int(),
})

export const dryRunReportSchema = z.object({
  report: z.object({
    /** Data rows in the file. */
    rowsTotal: z.number().int(),
    /** Rows that would be stored. */
    rowsValid: z.number().int(),
    /** Rows that would be skipped. */
    rowsInvalid: z.number().int(),
    /** The first 100 row errors. */
    errors: z.array(rowErrorSchema),
    /** Rows that would be stored without an emission (unknown location, missing factor). */
    rowsWithoutEmission: z.number().int(),
    /** The first 100 of those, with the reason. */
    rowWarnings: z.array(rowErrorSchema),
    /** File-level warnings (unknown columns). */
    warnings: z.array(z.string()),
    /** Module total before and after (data files only). */
    impact: z.object({ beforeKgCo2eq: z.number(), afterKgCo2eq: z.number() }).nullable(),
  }),
})
export type DryRunReport = z.infer<typeof dryRunReportSchema>['report']

export const recalculateBodySchema = z.object({
  /** Reporting year. */
  year: yearSchema,
  /** Module to recalculate. */
  moduleTypeId: id,
  /** One data-entry type only (default: every supported type of the module). */
  dataEntryTypeId: id.optional(),
})

export const pipelineListQuerySchema = z.object({
  /** Only this year. */
  year: yearSchema.optional(),
  /** Only this module. */
  moduleTypeId: id.optional(),
  /** Only this status. */
  status: z.enum(pipelineStatuses).optional(),
  /** Only pipelines started for this data-entry type. */
  dataEntryTypeId: id.optional(),
  /** Only this kind (data, factors, reference, recalculation, seed). */
  kind: z.enum(pipelineKinds).optional(),
  /** Opaque cursor from the previous page. */
  cursor: z.string().max(100).optional(),
  /** Page size (default 20, at most 100). */
  limit: z.coerce.number().int().min(1).max(100).default(20),
})

export const pipelineListSchema = z.object({
  /** Newest first. */
  items: z.array(pipelineSchema.omit({ jobs: true })),
  /** Cursor of the next page, or null on the last one. */
  nextCursor: z.string().nullable(),
})

export const jobEventsSchema = z.object({ events: z.array(jobEventSchema) })
export const jobResponseSchema = jobSchema
export const pipelineResponseSchema = pipelineSchema

export const activePipelinesQuerySchema = z.object({
  /** Reporting year. */
  year: yearSchema,
  /** Comma-separated module type ids (at most 50). */
  modules: z.string().max(1000).default(''),
})

export const activePipelinesSchema = z.object({
  /** Per module id: the running pipeline and the last finished one. */
  modules: z.record(
    z.string(),
    z.object({ active: pipelineSummarySchema.nullable(), last: pipelineSummarySchema.nullable() }),
  ),
})

export const moduleStatuses = [
  'incomplete',
  'up_to_date',
  'recalculation_needed',
  'recalculating',
  'failed',
] as const
export type ModuleStatus = (typeof moduleStatuses)[number]

export const yearModulesSchema = z.object({
  /** Reporting year. */
  year: z.number().int(),
  modules: z.array(
    z.object({
      /** Module type id. */
      moduleTypeId: z.number().int(),
      /** Where the module stands for the year. */
      status: z.enum(moduleStatuses),
      /** Entries stored for the year. */
      entryCount: z.number().int(),
      /** Total of the last aggregation, or null if never aggregated. */
      totalKgCo2eq: z.number().nullable(),
      /** When the statistics were computed. */
      computedAt: z.string().nullable(),
    }),
  ),
})

export const yearsSchema = z.object({
  /** Years with data or activity, newest first, always including the current and previous year. */
  years: z.array(z.number().int()),
  /** The year to open by default: the latest with statistics, else the previous year. */
  defaultYear: z.number().int(),
})

export const uploadSchema = z.object({
  /** Upload id. */
  id: z.number().int(),
  /** data, factors or reference. */
  kind: z.enum(uploadKinds),
  /** Module type. */
  moduleTypeId: z.number().int(),
  /** Data-entry type. */
  dataEntryTypeId: z.number().int(),
  /** Reporting year. */
  year: z.number().int(),
  /** replace or append. */
  mode: z.enum(uploadModes),
  /** The unit the upload was made for, if any. */
  unitId: z.number().int().nullable(),
  /** Original file name, sanitised. */
  fileName: z.string(),
  /** Size in bytes. */
  sizeBytes: z.number().int(),
  /** sha256 of the bytes, hex. */
  sha256: z.string(),
  /** Display name of who uploaded it. */
  createdBy: z.string().nullable(),
  /** When. */
  createdAt: z.string(),
})

export const reportSchema = z.object({
  /** Reporting year. */
  year: z.number().int(),
  modules: z.array(
    z.object({
      /** Module type id. */
      moduleTypeId: z.number().int(),
      /** Total kg CO2-eq. */
      totalKgCo2eq: z.number(),
      /** Entries aggregated. */
      entryCount: z.number().int(),
      /** Entries without an emission (unknown location, missing factor). */
      entriesWithoutEmission: z.number().int(),
      /** kg per data-entry type id. */
      byDataEntryType: z.record(z.string(), z.number()),
      /** kg per unit institutional id. */
      byUnit: z.record(z.string(), z.number()),
      /** When the aggregation ran. */
      computedAt: z.string(),
    }),
  ),
})

export const unitsSchema = z.array(
  z.object({
    /** Unit id. */
    id: z.number().int(),
    /** Id of the unit in its institution, as in CSV files. */
    institutionalId: z.string(),
    /** Name. */
    name: z.string(),
  }),
)

export const staleStatsQuerySchema = z.object({
  /** Statistics count as stale after this many minutes (at least 1, default 60). */
  older_than_minutes: z.coerce.number().int().min(1).max(525_600).default(60),
})

export const whyStaleValues = [
  'no_aggregation_ever',
  'last_aggregation_failed',
  'last_aggregation_too_old',
  'pending_aggregation_stuck',
] as const

export const staleStatsSchema = z.object({
  items: z.array(
    z.object({
      /** Module type id. */
      moduleTypeId: z.number().int(),
      /** Reporting year. */
      year: z.number().int(),
      /** Why the statistics are stale. */
      whyStale: z.enum(whyStaleValues),
      /** When the module's newest aggregation finished, if one did. */
      lastFinishedAggregationAt: z.string().nullable(),
      /** That aggregation job. */
      lastAggregationJobId: z.number().int().nullable(),
    }),
  ),
})

const catalogColumnSchema = z.object({
  /** Header name. */
  name: z.string(),
  /** A blank cell is a row error. */
  required: z.boolean(),
  /** text, number, integer, enum or date. */
  type: z.enum(['text', 'number', 'integer', 'enum', 'date']),
  /** Allowed values of an enum column. */
  values: z.array(z.string()).optional(),
  /** Smallest number allowed. */
  min: z.number().optional(),
  /** Largest number allowed. */
  max: z.number().optional(),
  /** What the column holds. */
  description: z.string(),
})

export const catalogSchema = z.object({
  modules: z.array(
    z.object({
      /** Module type id. */
      id: z.number().int(),
      /** Machine key. */
      key: z.string(),
      /** Label. */
      label: z.string(),
    }),
  ),
  dataEntryTypes: z.array(
    z.object({
      /** Data-entry type id. */
      id: z.number().int(),
      /** Machine key, also the template name. */
      key: z.string(),
      /** Label. */
      label: z.string(),
      /** Module it belongs to. */
      moduleTypeId: z.number().int(),
      /** Whether files of this type can be uploaded yet. */
      supported: z.boolean(),
      /** Columns of a data file (with unit_institutional_id and kg_co2eq). */
      columns: z.array(catalogColumnSchema),
      /** Columns of a factor file. */
      factorColumns: z.array(catalogColumnSchema),
      /** Reference data the type takes, if any. */
      reference: z.object({ format: z.string(), columns: z.array(catalogColumnSchema) }).nullable(),
    }),
  ),
})

export const apiTokenSchema = z.object({
  /** Token id. */
  id: z.number().int(),
  /** Name given at creation. */
  name: z.string(),
  /** The secret, shown only in the creation response. */
  token: z.string(),
  /** Creation time. */
  createdAt: z.string(),
})

export const apiTokenListSchema = z.object({
  tokens: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      created_at: z.string(),
      last_used_at: z.string().nullable(),
      revoked_at: z.string().nullable(),
    }),
  ),
})

export const recoverResponseSchema = z.object({
  /** The new job. */
  jobId: z.number().int(),
  /** Its pipeline (the failed job's). */
  pipelineId: z.number().int(),
  job: jobSchema,
})

export const recalculateResponseSchema = z.object({
  /** The recalculation pipeline. */
  pipelineId: z.number().int(),
  /** One emission_recalc per data-entry type. */
  jobIds: z.array(z.number().int()),
  pipeline: pipelineSchema,
})

export const readinessSchema = z.object({
  /** Always ready: a process that is not answers 503 with the error shape. */
  status: z.literal('ready'),
  /** Engine in use. */
  database: z.enum(['postgres', 'pglite']),
})

export const healthSchema = z.object({
  /** Always ok: the process answers. */
  status: z.literal('ok'),
})

/** Query of the streams (EventSource cannot send headers). */
export const streamQuerySchema = z.object({
  /** An API token, for scripts (a browser uses its session cookie). */
  token: z.string().optional(),
  /** The version the client has, as Last-Event-ID would say: only newer events are sent. */
  lastEventId: z
    .string()
    .regex(/^\d{1,9}$/)
    .optional(),
})
