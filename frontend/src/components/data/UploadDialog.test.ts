import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DryRunReport } from '@carbon-sync/shared'
import { flushPromises } from '@vue/test-utils'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { configureHttp } from '../../api/http'
import { setEventSourceImpl } from '../../composables/use-pipeline-stream'
import { useSession } from '../../stores/session'
import { eventually, mountApp } from '../../testing/mount-app'
import { demoManager } from '../../testing/session'
import UploadDialog from './UploadDialog.vue'

/**
 * The dry run, through the real fetch wrapper, against a real HTTP server written here: the
 * dialog sends the file as multipart with dryRun=true and shows the report's row errors.
 */

const report: DryRunReport = {
  rowsTotal: 5,
  rowsValid: 3,
  rowsInvalid: 2,
  errors: [
    {
      row: 5,
      column: 'cabin_class',
      code: 'invalid_value',
      message: 'cabin_class must be one of first, business, economy, got "premium"',
    },
    {
      row: 7,
      column: 'number_of_trips',
      code: 'out_of_range',
      message: 'number_of_trips must be at least 1',
    },
  ],
  rowsWithoutEmission: 0,
  rowWarnings: [],
  warnings: ['Unknown column "colour" is ignored'],
  impact: { beforeKgCo2eq: 154754.297, afterKgCo2eq: 3993.4 },
}

/** A file with one unknown airport: that row is valid and stored, without emission. */
const withoutEmissionReport: DryRunReport = {
  rowsTotal: 3,
  rowsValid: 2,
  rowsInvalid: 1,
  errors: [
    {
      row: 4,
      column: 'cabin_class',
      code: 'invalid_value',
      message: 'cabin_class must be one of first, business, economy, got "premium"',
    },
  ],
  rowsWithoutEmission: 1,
  rowWarnings: [{ row: 3, column: null, code: 'unknown_location', message: 'unknown airport ZZZ' }],
  warnings: [],
  impact: { beforeKgCo2eq: 154754.297, afterKgCo2eq: 154895.252 },
}

const catalog = {
  modules: [{ id: 2, key: 'professional_travel', label: 'Professional travel' }],
  dataEntryTypes: [
    {
      id: 20,
      key: 'plane',
      label: 'Plane trips',
      moduleTypeId: 2,
      supported: true,
      columns: [],
      factorColumns: [],
      reference: { format: 'locations', columns: [] },
    },
  ],
}

const units = [
  { id: 7, institutionalId: 'ENAC-IIE', name: 'Environmental engineering' },
  { id: 9, institutionalId: 'SB-IPHYS', name: 'Physics' },
]

interface Received {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}
const received: Received[] = []
let server: http.Server

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body })
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify(value))
      }
      if (req.method === 'GET' && req.url === '/api/v1/catalog') return json(200, catalog)
      if (req.method === 'GET' && req.url === '/api/v1/units') return json(200, units)
      if (req.method === 'POST' && body.includes('filename="latin1.csv"'))
        return json(422, {
          error: {
            code: 'unprocessable_file',
            message: 'The file is not valid UTF-8',
            details: {
              reasons: [
                {
                  code: 'invalid_utf8',
                  message: 'Invalid UTF-8 at byte offset 17: re-save the file as UTF-8',
                  offset: 17,
                },
              ],
            },
          },
        })
      if (req.method === 'POST' && body.includes('filename="plane-zzz.csv"'))
        return json(200, { report: withoutEmissionReport })
      if (req.method === 'POST' && req.url === '/api/v1/sync/uploads' && body.includes('dryRun'))
        return json(200, { report })
      if (req.method === 'POST' && req.url === '/api/v1/sync/uploads')
        return json(202, { pipelineId: 77, jobId: 770, uploadId: 7700 })
      json(404, { error: { code: 'not_found', message: `No route ${req.method} ${req.url}` } })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(
    `${origin}/data/2025`,
  )
  configureHttp({ baseUrl: origin })
})

afterAll(async () => {
  configureHttp({ baseUrl: '' })
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

async function openWithFile(name: string) {
  const w = mountApp(UploadDialog, {
    props: { modelValue: false, year: 2025, dataEntryTypeId: 20 },
    attachTo: document.body,
  })
  await w.setProps({ modelValue: true })
  await eventually(() =>
    expect(document.querySelector('[data-testid="upload-dialog"]')).not.toBeNull(),
  )
  const input = document.querySelector<HTMLInputElement>('[data-testid="file-input"]')!
  const file = new File(['a,b\n1,2\n'], name, { type: 'text/csv' })
  Object.defineProperty(input, 'files', { value: [file], configurable: true })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
  return w
}

describe('UploadDialog', () => {
  it('shows the row errors of a dry run (row, column, message) before anything is stored', async () => {
    const w = mountApp(UploadDialog, {
      props: { modelValue: false, year: 2025, dataEntryTypeId: 20 },
      attachTo: document.body,
    })
    await w.setProps({ modelValue: true })
    await eventually(() =>
      expect(document.querySelector('[data-testid="upload-dialog"]')).not.toBeNull(),
    )

    const input = document.querySelector<HTMLInputElement>('[data-testid="file-input"]')!
    const file = new File(
      ['unit_institutional_id,origin_iata,destination_iata,user_institutional_id,cabin_class\n'],
      'plane.csv',
      { type: 'text/csv' },
    )
    Object.defineProperty(input, 'files', { value: [file], configurable: true })
    input.dispatchEvent(new Event('change'))
    await flushPromises()

    const preview = () =>
      document.querySelector<HTMLButtonElement>('[data-testid="preview-button"]')!
    // Enabled once the catalog has arrived (the type is known) and a file is chosen.
    await eventually(() => expect(preview().disabled).toBe(false))
    preview().click()

    await eventually(() =>
      expect(document.querySelectorAll('[data-testid="row-error"]')).toHaveLength(2),
    )
    const cells = [...document.querySelectorAll('[data-testid="row-error"]')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()),
    )
    expect(cells[0]).toEqual([
      '5',
      'cabin_class',
      'invalid_value',
      'cabin_class must be one of first, business, economy, got "premium"',
    ])
    expect(cells[1]).toEqual([
      '7',
      'number_of_trips',
      'out_of_range',
      'number_of_trips must be at least 1',
    ])

    const text = document.querySelector('[data-testid="preview"]')!.textContent!
    expect(text).toContain('5 rows in the file')
    expect(text).toContain('3 rows would be stored')
    expect(text).toContain('2 rows with errors would be skipped')
    expect(text).toContain('154,754 kg')
    expect(text).toContain('3,993 kg')
    expect(text).toContain('Unknown column "colour" is ignored')

    // What went over the wire: one multipart dry run, with the CSRF header, and no real upload.
    const uploads = received.filter((r) => r.url === '/api/v1/sync/uploads')
    expect(uploads).toHaveLength(1)
    expect(uploads[0]!.headers['x-requested-with']).toBe('carbon-sync')
    expect(uploads[0]!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    for (const [field, value] of [
      ['dryRun', 'true'],
      ['kind', 'data'],
      ['moduleTypeId', '2'],
      ['dataEntryTypeId', '20'],
      ['year', '2025'],
      ['mode', 'replace'],
    ])
      expect(uploads[0]!.body).toMatch(new RegExp(`name="${field}"\\r\\n\\r\\n${value}\\r\\n`))
    expect(uploads[0]!.body).toContain('filename="plane.csv"')
    w.unmount()
  })

  it('shows the rows that would be stored without emission apart from the errors, and lets the upload go on', async () => {
    const w = await openWithFile('plane-zzz.csv')
    useSession().me = demoManager()
    const preview = () =>
      document.querySelector<HTMLButtonElement>('[data-testid="preview-button"]')!
    await eventually(() => expect(preview().disabled).toBe(false))
    preview().click()
    await eventually(() =>
      expect(document.querySelector('[data-testid="preview-without-emission"]')).not.toBeNull(),
    )

    const text = document.querySelector('[data-testid="preview"]')!.textContent!
    expect(text).toContain('2 rows would be stored')
    expect(text).toContain('1 of them without emission (stored, counted as 0 kg)')
    expect(text).toContain('1 row with errors would be skipped')

    // Its own section, a warning (not an alert, not the errors' red), with line and reason.
    const section = document.querySelector<HTMLElement>('[data-testid="preview-without-emission"]')!
    expect(section.classList).toContain('notice-warning')
    expect(section.getAttribute('role')).toBeNull()
    const heading = document.getElementById(section.getAttribute('aria-labelledby')!)!
    expect(heading.textContent!.trim()).toBe('Rows without emission')
    expect(section.textContent).toContain(
      'This row is valid and would be stored, but it would count 0 kg CO2-eq until its airport, station, factor or exchange rate is known; the module total above leaves it out.',
    )
    const table = section.querySelector('[role="region"]')!
    expect(table.getAttribute('aria-label')).toBe('Rows without emission found by the preview')
    const cells = [...section.querySelectorAll('[data-testid="row-warning"]')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent!.trim()),
    )
    expect(cells).toEqual([['3', 'unknown_location', 'unknown airport ZZZ']])
    // The row error stays in the errors' table, and only there.
    expect(section.querySelectorAll('[data-testid="row-error"]')).toHaveLength(0)
    expect(document.querySelectorAll('[data-testid="row-error"]')).toHaveLength(1)

    // Rows without emission do not block the upload.
    const confirm = document.querySelector<HTMLButtonElement>('[data-testid="confirm-button"]')!
    expect(confirm.disabled).toBe(false)
    w.unmount()
  })

  it('shows why a file is refused (422 reasons, e.g. the byte offset of bad UTF-8)', async () => {
    const w = await openWithFile('latin1.csv')
    const preview = () =>
      document.querySelector<HTMLButtonElement>('[data-testid="preview-button"]')!
    await eventually(() => expect(preview().disabled).toBe(false))
    preview().click()
    await eventually(() =>
      expect(document.querySelector('[data-testid="upload-error"]')).not.toBeNull(),
    )
    const alert = document.querySelector('[data-testid="upload-error"]')!
    expect(alert.getAttribute('role')).toBe('alert')
    expect(alert.textContent).toContain('The file cannot be read.')
    expect(alert.textContent).toContain(
      'Invalid UTF-8 at byte offset 17: re-save the file as UTF-8',
    )
    expect(document.querySelector('[data-testid="preview"]')).toBeNull()
    w.unmount()
  })
})

/** The fields of a multipart body, file apart: `{ kind: 'data', mode: 'replace', … }`. */
function fieldsOf(body: string): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const [, name, value] of body.matchAll(/name="([^"]+)"\r\n\r\n([^\r]*)\r\n/g))
    fields[name!] = value!
  return fields
}
/** The upload requests that sent the file `name`, in order. */
const uploadsOf = (name: string) =>
  received
    .filter((r) => r.url === '/api/v1/sync/uploads' && r.body.includes(`filename="${name}"`))
    .map((r) => fieldsOf(r.body))

const inDialog = <E extends Element = HTMLElement>(selector: string) =>
  document.querySelector<E>(`[data-testid="upload-dialog"] ${selector}`)

/** Clicks the radio button labelled `label`, as the user does. */
async function chooseRadio(label: string) {
  const radio = inDialog(`[role="radio"][aria-label="${label}"]`)!
  radio.click()
  await flushPromises()
  expect(radio.getAttribute('aria-checked')).toBe('true')
}

async function runPreview() {
  const button = () => inDialog<HTMLButtonElement>('[data-testid="preview-button"]')!
  await eventually(() => expect(button().disabled).toBe(false))
  button().click()
  await eventually(() => expect(document.querySelector('[data-testid="preview"]')).not.toBeNull())
}

/** Opens the unit select and clicks the unit `name` (the units may still be on their way). */
async function chooseUnit(name: string) {
  const combobox = inDialog<HTMLInputElement>(
    'input[role="combobox"][aria-label="Unit (optional)"]',
  )!
  let option: HTMLElement | undefined
  await eventually(() => {
    if (combobox.getAttribute('aria-expanded') !== 'true')
      combobox.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'ArrowDown', keyCode: 40, bubbles: true }),
      )
    option = [...document.querySelectorAll<HTMLElement>('[role="option"]')].find((o) =>
      o.textContent!.includes(name),
    )
    expect(option, `option "${name}"`).toBeDefined()
  })
  option!.click()
  await flushPromises()
  expect(combobox.closest('.q-field')!.textContent).toContain(name)
}

async function confirmUpload() {
  const button = () => inDialog<HTMLButtonElement>('[data-testid="confirm-button"]')!
  await eventually(() => expect(button().disabled).toBe(false))
  button().click()
  await eventually(() => expect(document.querySelector('[data-testid="progress"]')).not.toBeNull())
}

// The accepted upload's pipeline opens its stream; here it connects to nothing.
class SilentEventSource extends EventTarget {
  readyState = 0
  close() {
    this.readyState = 2
  }
}

describe('UploadDialog: the fields sent with the file (SPEC §6 POST /sync/uploads)', () => {
  beforeAll(() => setEventSourceImpl(SilentEventSource as unknown as typeof window.EventSource))
  afterAll(() => setEventSourceImpl(undefined))

  // Unmounted even when a test fails, so that its dialog does not stay in the page.
  let opened: Awaited<ReturnType<typeof openWithFile>>[] = []
  afterEach(() => {
    for (const w of opened) w.unmount()
    opened = []
  })
  async function open(name: string) {
    const w = await openWithFile(name)
    opened.push(w)
    return w
  }

  const sent = { moduleTypeId: '2', dataEntryTypeId: '20', year: '2025' }

  it('sends the defaults when nothing is changed: data, replace, no unit', async () => {
    await open('defaults.csv')
    useSession().me = demoManager()
    await runPreview()
    await confirmUpload()
    expect(uploadsOf('defaults.csv')).toEqual([
      { kind: 'data', ...sent, mode: 'replace', dryRun: 'true' },
      { kind: 'data', ...sent, mode: 'replace' },
    ])
  })

  it('sends the mode append and the unit chosen, in the preview and in the upload', async () => {
    await open('append-physics.csv')
    useSession().me = demoManager()
    await chooseRadio('Add to the entries already stored')
    await chooseUnit('Physics')
    await runPreview()
    await confirmUpload()
    expect(uploadsOf('append-physics.csv')).toEqual([
      { kind: 'data', ...sent, mode: 'append', unitId: '9', dryRun: 'true' },
      { kind: 'data', ...sent, mode: 'append', unitId: '9' },
    ])
  })

  it.each([
    ['Emission factors', 'factors'],
    ['Reference data (locations, currency rates)', 'reference'],
  ])('sends the kind "%s" (%s), without the unit, which is for data only', async (label, kind) => {
    const name = `${kind}.csv`
    await open(name)
    await chooseUnit('Physics')
    await chooseRadio(label)
    // Neither a unit nor a mode to choose for factors or reference data.
    expect(inDialog('input[aria-label="Unit (optional)"]')).toBeNull()
    expect(inDialog('[role="radio"][aria-label="Add to the entries already stored"]')).toBeNull()
    await runPreview()
    expect(uploadsOf(name)).toEqual([{ kind, ...sent, mode: 'replace', dryRun: 'true' }])
  })
})
