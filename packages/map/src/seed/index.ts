export { type DemoLoadResult, disabledPasswordHash, loadDemoData } from './load-demo'
export type { SeedEntity, SeedUser } from './seed-types'
export { seedSynthetic, syntheticArea, syntheticBatchRows } from './synthetic'
