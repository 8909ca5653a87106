import { type TLiteral, type TUnion, Type } from 'typebox'

type Literals<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> }

/** A union of string literals from a `const` list, keeping the literal types (a plain `.map` would lose them). */
export function LiteralUnion<const T extends readonly string[]>(
  values: T,
  options: Record<string, unknown> = {},
): TUnion<Literals<T>> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  ) as unknown as TUnion<Literals<T>>
}
