/** vt-pbf ships no types; this is the part of its API this package uses. */
declare module 'vt-pbf' {
  export interface GeojsonVtFeature {
    /** 1 point, 2 line, 3 polygon. */
    type: 1 | 2 | 3
    /** Points: [[x, y], …]; lines and polygons: rings of [x, y]. */
    geometry: number[][] | number[][][]
    tags: Record<string, string | number | boolean | null>
    id?: number
  }
  export function fromGeojsonVt(
    layers: Record<string, { features: GeojsonVtFeature[] }>,
    options?: { version?: number; extent?: number },
  ): Uint8Array
}
