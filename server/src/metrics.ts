import client from 'prom-client'

/**
 * Prometheus metrics of one process. Counters and histograms are updated where things
 * happen; gauges that describe the database (jobs by state) are read when scraped.
 */
export class Metrics {
  readonly registry = new client.Registry()
  readonly jobsFinished = new client.Counter({
    name: 'carbon_sync_jobs_finished_total',
    help: 'Jobs finished by this process, by type and result',
    labelNames: ['job_type', 'result'] as const,
    registers: [this.registry],
  })
  readonly jobDuration = new client.Histogram({
    name: 'carbon_sync_job_duration_seconds',
    help: 'Run time of jobs finished by this process, claim to finish',
    labelNames: ['job_type'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1200],
    registers: [this.registry],
  })
  readonly claimLatency = new client.Histogram({
    name: 'carbon_sync_claim_latency_seconds',
    help: 'Time from a job becoming runnable to its claim (database clock)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30],
    registers: [this.registry],
  })

  private streams: { sessionCount: number; channelCount: number } | undefined
  readonly sseSessions: client.Gauge = new client.Gauge({
    name: 'carbon_sync_sse_sessions',
    help: 'Open SSE sessions (stream viewers) in this process',
    registers: [this.registry],
    collect: (): void => this.sseSessions.set(this.streams?.sessionCount ?? 0),
  })
  readonly sseChannels: client.Gauge = new client.Gauge({
    name: 'carbon_sync_sse_channels',
    help: 'SSE channels (pipelines or jobs being watched) in this process',
    registers: [this.registry],
    collect: (): void => this.sseChannels.set(this.streams?.channelCount ?? 0),
  })

  /** Reads the stream gauges from the process's hub when scraped. */
  watchStreams(hub: { sessionCount: number; channelCount: number }): void {
    this.streams = hub
  }

  constructor(collectDefault = true) {
    if (collectDefault)
      client.collectDefaultMetrics({ register: this.registry, prefix: 'carbon_sync_' })
  }
}
