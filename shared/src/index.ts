export * from './catalog/index.ts'
export * from './errors.ts'
export * from './jobs.ts'
export * from './csv/index.ts'
