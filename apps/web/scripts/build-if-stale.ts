import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Builds the web client when dist/ is missing or older than its sources, so `pnpm start` always serves the
 * client that matches the checkout, and a second start costs nothing. Used by the root `start` script and by
 * the browser tests' setup.
 */
export const webDir = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const distIndex = join(webDir, 'dist', 'index.html')
/** Everything the bundle is made from: the client, its config, and the contracts it imports. */
const sources = [
  join(webDir, 'src'),
  join(webDir, 'index.html'),
  join(webDir, 'vite.config.ts'),
  join(webDir, 'package.json'),
  join(webDir, 'scripts', 'smp.ts'),
  join(webDir, 'scripts', 'app-icons.ts'),
  join(webDir, '..', '..', 'packages', 'contracts', 'src'),
]

function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let newest = stat.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)))
  return newest
}

export function webBuildIsStale(): boolean {
  if (!existsSync(distIndex)) return true
  const built = statSync(distIndex).mtimeMs
  return sources.some((source) => newestMtimeMs(source) > built)
}

/** Runs `vite build` in apps/web when needed; throws when the build fails. Returns whether it built. */
export function buildWebIfStale(options: { quiet?: boolean } = {}): boolean {
  if (!webBuildIsStale()) return false
  // A clean dist/: hashed files of earlier builds would otherwise pile up beside the new ones.
  rmSync(join(webDir, 'dist'), { recursive: true, force: true })
  const vite = join(webDir, 'node_modules', 'vite', 'bin', 'vite.js')
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--logLevel', options.quiet ? 'error' : 'info'],
    {
      cwd: webDir,
      stdio: options.quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
      // A test runner sets NODE_ENV=test, which would give a development build of React: always production.
      env: { ...process.env, NODE_ENV: 'production', VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    },
  )
  if (result.status !== 0) throw new Error(`building the web client failed (exit ${result.status})`)
  return true
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!buildWebIfStale()) console.log('web client is up to date (apps/web/dist)')
}
