import { readFileSync } from 'node:fs'

/** A process's resident set now and its peak since it started (VmRSS / VmHWM), in MiB; Linux only. */
export function rssMiB(pid: number): { currentMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN)
  return { currentMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 }
}
