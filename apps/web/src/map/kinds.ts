import type { EntityKind } from '@quartiere/contracts'
import { entityKinds } from '@quartiere/contracts/enums'

/**
 * How each kind looks. A `Record<EntityKind, …>` so a kind added to the contracts fails the type check here
 * until it has a colour and an icon.
 */
export const kindStyle: Record<EntityKind, { color: string; icon: string }> = {
  space: { color: '#1f7a4d', icon: 'M4 11 12 4l8 7v9h-5v-6H9v6H4z' },
  group: {
    color: '#7b3fa0',
    icon: 'M8 11a3 3 0 1 1 0-6 3 3 0 0 1 0 6zm8 0a3 3 0 1 1 0-6 3 3 0 0 1 0 6zM2 19c0-3 3-6 6-6s6 3 6 6zm12 0c0-2-1-4-2-5 1-1 2-1 4-1 3 0 6 3 6 6z',
  },
  event: { color: '#d1495b', icon: 'M5 6h14v14H5zM5 10h14M9 3v5M15 3v5M8 13h3v3H8z' },
  project: { color: '#e08e0b', icon: 'M5 20V4h9l-1 3h6v8h-8l1-3H7v8z' },
  news: { color: '#2e6fb7', icon: 'M4 5h13v14H6a2 2 0 0 1-2-2zM17 9h3v8a2 2 0 0 1-2 2M7 8h7M7 11h7M7 14h5' },
  story: { color: '#8c5a3c', icon: 'M4 5c3-1 6-1 8 1 2-2 5-2 8-1v14c-3-1-6-1-8 1-2-2-5-2-8-1zM12 6v14' },
  offer: { color: '#0e9aa7', icon: 'M12 20s-8-5-8-11a4 4 0 0 1 8-1 4 4 0 0 1 8 1c0 6-8 11-8 11z' },
  request: { color: '#c2185b', icon: 'M9 9a3 3 0 1 1 4 3c-1 1-1 1-1 3M12 18v1' },
}

/** WCAG's relative luminance of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const channel = (offset: number) => {
    const value = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4
  }
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

/**
 * The text colour to write on a kind's colour: white or black, whichever contrasts more (the lighter kind
 * colours fail WCAG's 4.5:1 for small white text). Pure black, not a near-black: the event red (#d1495b) reaches
 * 4.8:1 with black but only 4.3:1 with #111 and 4.4:1 with white.
 */
export function inkOn(background: string): string {
  const light = luminance(background)
  const onWhite = 1.05 / (light + 0.05)
  const onBlack = (light + 0.05) / 0.05
  return onBlack > onWhite ? '#000000' : '#ffffff'
}

/** The kinds in the order the filters and legends list them: the contracts' order. */
export const entityKindList: readonly EntityKind[] = entityKinds

/** A kind's icon as an SVG document: white strokes on the kind's colour, drawn without any font. */
export function kindIconSvg(kind: EntityKind, size = 28): string {
  const { color, icon } = kindStyle[kind]
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="-2 -2 28 28"><circle cx="12" cy="12" r="13" fill="${color}" stroke="#fff" stroke-width="2"/><path d="${icon}" fill="none" stroke="#fff" stroke-width="1.8" stroke-linejoin="round" stroke-linecap="round"/></svg>`
}
