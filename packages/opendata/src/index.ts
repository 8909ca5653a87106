export { eventsIcs } from './events-ics'
export {
  csvExport,
  type ExportProvenance,
  exportBatchRows,
  exportColumns,
  exportProvenance,
  exportRows,
  fgbExport,
  geojsonExport,
} from './exports'
export {
  describeFilters,
  filtersWhere,
  type PublicFilters,
  parseKinds,
  parseMapStyleFilters,
} from './filters'
export { type LedgerFlows, ledgerFlows, ledgerFlowsColumns, parseLedgerFlowsQuery } from './ledger-flows'
export {
  type CollectionExtent,
  getOgcItem,
  isOgcCollectionId,
  listOgcItems,
  type OgcItemsPage,
  type OgcItemsRequest,
  ogcCollectionExtents,
  ogcFeatureJsonSql,
  parseOgcItemsQuery,
} from './ogc.service'
export {
  ogcCollection,
  ogcCollections,
  ogcConformance,
  ogcLandingPage,
  ogcOpenApi,
} from './ogc-documents'
export type { OpenDataFailure, OpenDataOutcome } from './outcome'
export { exportProperties } from './properties'
export {
  bufferedTileBbox,
  type CachedTile,
  encodePreparedTile,
  mvtSql,
  preparedTileSql,
  renderTile,
  TileCache,
  type TileRequest,
  tileCacheBytesMax,
  tileCacheEntriesMax,
  tileEtag,
  tileFields,
} from './tiles'
