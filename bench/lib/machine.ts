import { readdirSync, readFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'

export interface MachineInfo {
  cores: number
  cpuModel: string
  memoryGiB: number
  node: string
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus()
  return {
    cores: cpuList.length,
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  }
}

/** Linux reports process CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const clockTicksPerSecond = 100

/** CPU seconds (user + system) each process has used so far, from /proc; processes that are gone are skipped. */
export function cpuSecondsByPid(pids: number[]): Map<number, number> {
  const seconds = new Map<number, number>()
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // The command name may hold spaces; the fields after its closing parenthesis are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      seconds.set(pid, (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond)
    } catch {
      // exited in between
    }
  }
  return seconds
}

/** Every PostgreSQL server process on this machine (the postmaster, backends and background workers). */
export function postgresPids(): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(entry))
    } catch {
      // exited in between
    }
  }
  return pids
}

/**
 * Measures where the CPU went during a phase: this process (the load generator), the API server and
 * PostgreSQL. Backends that start during the phase count from zero; any that exit during it are missed.
 */
export function startCpuSplit(serverPid?: number) {
  const pidsNow = () => [...postgresPids(), ...(serverPid ? [serverPid] : [])]
  const before = cpuSecondsByPid(pidsNow())
  const ownBefore = process.cpuUsage()
  return () => {
    const after = cpuSecondsByPid(pidsNow())
    const own = process.cpuUsage(ownBefore)
    let postgres = 0
    let server = 0
    for (const [pid, total] of after) {
      const used = total - (before.get(pid) ?? 0)
      if (pid === serverPid) server += used
      else postgres += used
    }
    return {
      loadGeneratorSeconds: (own.user + own.system) / 1e6,
      serverSeconds: server,
      postgresSeconds: postgres,
    }
  }
}

export type CpuSplit = ReturnType<ReturnType<typeof startCpuSplit>>
