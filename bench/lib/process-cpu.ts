import { readFileSync } from 'node:fs'
import { cpuSecondsByPid, postgresPids } from './machine'

/** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const clockTicksPerSecond = 100
/**
 * How often PostgreSQL's processes are read. A backend that exits (pgbench closes its connections at the end)
 * is counted up to its last reading, so at most this much of its life is missed.
 */
const samplePeriodMs = 100

/** CPU seconds of the children this process has waited for (cutime + cstime): pgbench, once it has exited. */
function reapedChildrenSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[13]) + Number(fields[14])) / clockTicksPerSecond
}

/** Busy and total CPU time of the whole machine so far, in seconds summed over cores, from /proc/stat. */
function machineSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!
  // cpu user nice system idle iowait irq softirq steal (guest time is inside user already).
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number)
  const total = ticks.reduce((sum, n) => sum + n, 0)
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0)
  return { busy: (total - idle) / clockTicksPerSecond, total: total / clockTicksPerSecond }
}

/**
 * Whether a PostgreSQL process works for the benchmark: a backend (or autovacuum worker) of one of its
 * databases, or one of the server's shared processes (postmaster, WAL writer, checkpointer…), which work for
 * everyone. Backends of other databases (someone's tests) are not ours. The process title says which is which:
 * "postgres: 15/main: USER DATABASE HOST(PORT) STATE".
 */
function isOurs(pid: number, databases: string[]): boolean {
  let title: string
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()
  } catch {
    return false
  }
  if (databases.some((name) => title.includes(` ${name} `) || title.endsWith(` ${name}`))) return true
  const isBackend = /\(\d+\)|\[local\]|autovacuum worker|parallel worker/.test(title)
  return !isBackend
}

export interface CpuAccount {
  /** This process, plus its children that exited during the phase (pgbench). */
  loadGeneratorSeconds: number
  serverSeconds: number
  /** Backends of the benchmark's databases and the server's shared processes. */
  postgresSeconds: number
  /** Busy CPU time of the whole machine, over all cores. */
  machineBusySeconds: number
  /** Core-seconds the machine had in the phase (wall time × cores). */
  machineSeconds: number
  /** Busy time of everything else: other people's tests and benchmarks and their database backends. */
  otherSeconds: number
}

/**
 * Where the CPU went during a phase, like `startCpuSplit` in machine.ts, but PostgreSQL counts only for the
 * given databases (the server is shared with other work), backends that exit during the phase still count,
 * and the rest of the machine's busy time is reported as "other".
 */
export function startCpuAccount(options: { serverPid?: number; databases: string[] }): () => CpuAccount {
  const { serverPid, databases } = options
  const serverSeconds = () => (serverPid ? (cpuSecondsByPid([serverPid]).get(serverPid) ?? 0) : 0)
  /** Per PostgreSQL process of ours: its CPU seconds when first seen (0 if born during the phase) and last seen. */
  const postgres = new Map<number, { first: number; last: number }>()
  const classified = new Map<number, boolean>()
  let sampling = true
  const sample = () => {
    const pids = postgresPids().filter((pid) => {
      let ours = classified.get(pid)
      if (ours === undefined) {
        ours = isOurs(pid, databases)
        classified.set(pid, ours)
      }
      return ours
    })
    for (const [pid, seconds] of cpuSecondsByPid(pids)) {
      const seen = postgres.get(pid)
      if (seen) seen.last = seconds
      else postgres.set(pid, { first: sampling ? 0 : seconds, last: seconds })
    }
  }
  // The first reading is the baseline of the processes alive now; later newcomers start from zero.
  sampling = false
  sample()
  sampling = true
  const timer = setInterval(sample, samplePeriodMs)
  const ownBefore = process.cpuUsage()
  const childrenBefore = reapedChildrenSeconds()
  const serverBefore = serverSeconds()
  const machineBefore = machineSeconds()
  return () => {
    clearInterval(timer)
    sample()
    const own = process.cpuUsage(ownBefore)
    const loadGeneratorSeconds = (own.user + own.system) / 1e6 + reapedChildrenSeconds() - childrenBefore
    const server = serverSeconds() - serverBefore
    let postgresSeconds = 0
    for (const { first, last } of postgres.values()) postgresSeconds += last - first
    const machine = machineSeconds()
    const machineBusySeconds = machine.busy - machineBefore.busy
    return {
      loadGeneratorSeconds,
      serverSeconds: server,
      postgresSeconds,
      machineBusySeconds,
      machineSeconds: machine.total - machineBefore.total,
      otherSeconds: Math.max(0, machineBusySeconds - loadGeneratorSeconds - server - postgresSeconds),
    }
  }
}
