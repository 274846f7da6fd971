import { openAsBlob } from 'node:fs'
import path from 'node:path'
import {
  terminalPipelineStatuses,
  uploadAcceptedSchema,
  type Job,
  type Pipeline,
} from '@carbon-sync/shared'
import { ApiClient } from '@carbon-sync/server/test/helpers/server.ts'
import { secondsSince, sleep } from '../lib/benchmark.ts'

/**
 * Measures A and B over HTTP, as a user's browser would drive them: sign in, POST the file as
 * multipart, then poll. One clock for both, started right before the POST.
 */
export interface UploadMeasure {
  /** performance.now() right before the POST. */
  startedAt: number
  jobId: number
  pipelineId: number
  /** POST until its 202 (the file stored, the pipeline queued). */
  acceptedSeconds: number
  /** A: until the csv_ingest job reads FINISHED. */
  ingestSeconds: number
  /** B: until the pipeline reads SUCCESS. */
  pipelineSeconds: number
  ingestJob: Job
  pipeline: Pipeline
  /** When each job was first seen running and finished, in seconds since the POST started. */
  milestones: Milestone[]
}

export interface Milestone {
  label: string
  seconds: number
}

export interface UploadFields {
  moduleTypeId: number
  dataEntryTypeId: number
  year: number
  mode: 'replace' | 'append'
}

const pollMs = 50
const timeoutMs = 60 * 60 * 1000

export async function signIn(baseUrl: string, email: string, password: string): Promise<ApiClient> {
  const client = new ApiClient(baseUrl)
  const res = await client.post('/api/v1/auth/login', { email, password })
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`)
  if (!client.cookie) throw new Error('sign-in set no session cookie')
  return client
}

async function getJson<T>(client: ApiClient, route: string): Promise<T> {
  const res = await client.get(route)
  if (res.status !== 200) throw new Error(`GET ${route}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** Polls `read` every 50 ms until `done` holds; throws after an hour. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error('timed out waiting for the pipeline')
    await sleep(pollMs)
  }
}

export async function measureUpload(
  client: ApiClient,
  csvFile: string,
  fields: UploadFields,
): Promise<UploadMeasure> {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.set(name, String(value))
  // A file-backed Blob: fetch streams it from disk.
  form.set('file', await openAsBlob(csvFile, { type: 'text/csv' }), path.basename(csvFile))

  const milestones: Milestone[] = []
  const mark = (label: string) => {
    if (!milestones.some((m) => m.label === label))
      milestones.push({ label, seconds: secondsSince(started) })
  }
  const observe = (job: Job) => {
    if (job.state === 'RUNNING') mark(`${job.jobType} running`)
    if (job.state === 'FINISHED') mark(`${job.jobType} finished`)
  }

  const started = performance.now()
  const res = await client.request('POST', '/api/v1/sync/uploads', { body: form })
  if (res.status !== 202) throw new Error(`upload refused: ${res.status} ${await res.text()}`)
  const acceptedSeconds = secondsSince(started)
  mark('202 accepted')
  const { jobId, pipelineId } = uploadAcceptedSchema.parse(await res.json())

  const ingestJob = await pollUntil(
    () => getJson<Job>(client, `/api/v1/sync/jobs/${jobId}`),
    (job) => {
      observe(job)
      return job.state === 'FINISHED'
    },
  )
  const ingestSeconds = secondsSince(started)
  if (ingestJob.result !== 'SUCCESS') {
    throw new Error(`csv_ingest ended ${ingestJob.result}: ${ingestJob.statusMessage}`)
  }

  const pipeline = await pollUntil(
    () => getJson<Pipeline>(client, `/api/v1/sync/pipelines/${pipelineId}`),
    (p) => {
      p.jobs.forEach(observe)
      return terminalPipelineStatuses.includes(p.status)
    },
  )
  const pipelineSeconds = secondsSince(started)
  if (pipeline.status !== 'SUCCESS') {
    const failed = pipeline.jobs.find((j) => j.result !== 'SUCCESS')
    throw new Error(
      `pipeline ended ${pipeline.status}` +
        (failed ? `: ${failed.jobType} ${failed.result} ${failed.statusMessage}` : ''),
    )
  }
  milestones.sort((a, b) => a.seconds - b.seconds)
  return {
    startedAt: started,
    jobId,
    pipelineId,
    acceptedSeconds,
    ingestSeconds,
    pipelineSeconds,
    ingestJob,
    pipeline,
    milestones,
  }
}
