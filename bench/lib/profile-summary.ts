import { readFileSync } from 'node:fs'

/**
 * Summarises a V8 `.cpuprofile`: self time per function (top 40) and the share of idle, garbage collection and
 * program time, so a benchmark's profile can be read in a terminal. `tsx bench/lib/profile-summary.ts FILE`.
 */
interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const file = process.argv[2]
if (!file) {
  console.error('usage: tsx bench/lib/profile-summary.ts FILE.cpuprofile')
  process.exit(2)
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const selfMs = new Map<number, number>()
profile.samples.forEach((id, i) => {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
})
const byFunction = new Map<string, number>()
let total = 0
for (const [id, ms] of selfMs) {
  const frame = byId.get(id)!.callFrame
  const where = frame.url
    ? `${frame.url.replace(/^.*\/(node_modules|work\/main)\//, '')}:${frame.lineNumber + 1}`
    : ''
  const key = `${frame.functionName || '(anonymous)'} ${where}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + ms)
  total += ms
}
const sorted = [...byFunction].sort((a, b) => b[1] - a[1])
console.log(`total ${(total / 1000).toFixed(1)} s sampled`)
for (const [key, ms] of sorted.slice(0, 40))
  console.log(`${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${key}`)
