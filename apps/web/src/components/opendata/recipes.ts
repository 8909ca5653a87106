import type { OpenDataCatalog } from '@quartiere/contracts'

export interface Recipe {
  id: 'ogr2ogr' | 'qgis' | 'r' | 'python'
  title: 'recipeOgr' | 'recipeQgis' | 'recipeR' | 'recipePython'
  code: string
}

/**
 * Short programs that read the open data of this deployment, from the catalog's own addresses. The browser test
 * fetches every address these name and runs the ogr2ogr one.
 */
export function recipesFor(catalog: OpenDataCatalog): Recipe[] {
  const geojson = catalog.exports.find((entry) => entry.format === 'geojson')?.url ?? ''
  return [
    {
      id: 'ogr2ogr',
      title: 'recipeOgr',
      code: `ogr2ogr -f GPKG quartiere.gpkg "OAPIF:${catalog.ogcLandingPage}" all`,
    },
    {
      id: 'qgis',
      title: 'recipeQgis',
      code: `iface.addVectorLayer("${geojson}", "Quartiere", "ogr")`,
    },
    {
      id: 'r',
      title: 'recipeR',
      code: `library(sf)\nthings <- st_read("${geojson}")\nplot(st_geometry(things))`,
    },
    {
      id: 'python',
      title: 'recipePython',
      code: `import geopandas as gpd\nthings = gpd.read_file("${geojson}")\nprint(things.head())`,
    },
  ]
}
