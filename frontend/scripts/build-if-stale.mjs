// Builds the SPA when dist/ is missing or older than any source file, so that `pnpm start`
// on a fresh clone serves a current build without rebuilding on every start.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const built = path.join(root, 'dist/index.html')

function newest(dir) {
  let latest = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) latest = Math.max(latest, newest(p))
    else latest = Math.max(latest, fs.statSync(p).mtimeMs)
  }
  return latest
}

const sources = [path.join(root, 'src'), path.join(root, '../shared/src')]
const inputs = ['index.html', 'vite.config.ts', 'package.json'].map(
  (f) => fs.statSync(path.join(root, f)).mtimeMs,
)
const sourceTime = Math.max(...inputs, ...sources.map(newest))
const builtTime = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0

if (builtTime >= sourceTime) {
  console.log('frontend: build is up to date')
} else {
  console.log('frontend: building the SPA…')
  const r = spawnSync('pnpm', ['exec', 'vite', 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  })
  process.exit(r.status ?? 1)
}
