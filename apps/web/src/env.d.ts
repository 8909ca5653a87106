/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The street basemap's style URL; `offline` always uses the bundled style. */
  readonly VITE_BASEMAP_STYLE_URL?: string
}
