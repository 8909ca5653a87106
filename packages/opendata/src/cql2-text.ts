/**
 * A parser of CQL2 text (OGC 21-065, the `filter` of OGC API - Features Part 3) for the subset this API serves:
 * Basic CQL2 (comparisons, AND/OR/NOT, IS NULL, boolean, timestamp and date literals), the advanced comparison
 * operators (LIKE, BETWEEN, IN), S_INTERSECTS with POINT, LINESTRING, POLYGON and BBOX literals, and
 * T_INTERSECTS, T_BEFORE and T_AFTER. It only builds a tree: what the names mean and how they become SQL is
 * cql2-sql.ts's business. Every error carries the 1-based character position where it was found.
 *
 * Two spellings that GDAL's OAPIF driver sends are accepted besides the standard: ILIKE (a case-insensitive
 * LIKE), and date-times written as plain string literals (`validFrom > '2024-01-05T00:00:00Z'`); the latter are
 * typed against the property in cql2-sql.ts.
 */

import { ogcFilterLengthMax } from '@quartiere/contracts'

/** The longest filter parsed, in characters: the query parameter's own limit. */
export const cql2TextLengthMax = ogcFilterLengthMax
/** How deeply parentheses and NOTs may nest: the parser recurses, and a stack has a bottom. */
export const cql2NestingMax = 40
/** Values in one IN list. */
export const cql2InValuesMax = 200
/** Positions in one geometry literal. */
export const cql2GeometryPositionsMax = 2000

export type Cql2Comparison = '=' | '<>' | '<' | '>' | '<=' | '>='

export interface Cql2Property {
  name: string
  position: number
}

export type Cql2Literal =
  | { kind: 'string'; value: string; position: number }
  | { kind: 'number'; value: number; position: number }
  | { kind: 'boolean'; value: boolean; position: number }
  /** An RFC 3339 instant, checked to parse. */
  | { kind: 'timestamp'; value: string; position: number }
  /** A calendar day, YYYY-MM-DD. */
  | { kind: 'date'; value: string; position: number }

export type Cql2Geometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'LineString'; coordinates: number[][] }
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'BBox'; bbox: [number, number, number, number] }

/** One end of an INTERVAL: a property, an instant or a day, or `..` for an open end. */
export type Cql2IntervalBound =
  | { kind: 'property'; property: Cql2Property }
  | { kind: 'timestamp'; value: string; position: number }
  | { kind: 'date'; value: string; position: number }
  | { kind: 'open' }

export type Cql2Temporal =
  | { kind: 'property'; property: Cql2Property }
  | { kind: 'timestamp'; value: string; position: number }
  | { kind: 'date'; value: string; position: number }
  | { kind: 'interval'; start: Cql2IntervalBound; end: Cql2IntervalBound; position: number }

export type Cql2TemporalOperator = 't_intersects' | 't_before' | 't_after'

export type Cql2Node =
  | { type: 'and' | 'or'; args: Cql2Node[] }
  | { type: 'not'; arg: Cql2Node }
  | { type: 'boolean'; value: boolean }
  | { type: 'compare'; op: Cql2Comparison; property: Cql2Property; value: Cql2Literal }
  | { type: 'like'; property: Cql2Property; pattern: Cql2Literal; caseInsensitive: boolean }
  | { type: 'between'; property: Cql2Property; low: Cql2Literal; high: Cql2Literal }
  | { type: 'in'; property: Cql2Property; values: Cql2Literal[] }
  | { type: 'isNull'; property: Cql2Property }
  | { type: 's_intersects'; property: Cql2Property; geometry: Cql2Geometry; position: number }
  | { type: 'temporal'; op: Cql2TemporalOperator; left: Cql2Temporal; right: Cql2Temporal; position: number }

export type Cql2ParseResult = { ok: true; node: Cql2Node } | { ok: false; message: string; position: number }

type Token =
  | { type: 'word'; text: string; position: number }
  | { type: 'quoted'; text: string; position: number }
  | { type: 'string'; text: string; position: number }
  | { type: 'number'; value: number; text: string; position: number }
  | { type: 'symbol'; text: string; position: number }
  | { type: 'end'; position: number }

class Cql2SyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message)
  }
}

const numberPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
const wordPattern = /^[A-Za-z_][A-Za-z0-9_.:]*/
const symbols = ['<>', '<=', '>=', '=', '<', '>', '(', ')', ',']

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    const position = i + 1
    if (/\s/.test(c)) {
      i += 1
      continue
    }
    if (c === "'") {
      let value = ''
      let j = i + 1
      for (;;) {
        if (j >= text.length) throw new Cql2SyntaxError('unterminated string literal', position)
        const d = text[j]!
        if (d === "'" && text[j + 1] === "'") {
          value += "'"
          j += 2
        } else if (d === '\\' && text[j + 1] === "'") {
          value += "'"
          j += 2
        } else if (d === "'") {
          j += 1
          break
        } else {
          value += d
          j += 1
        }
      }
      tokens.push({ type: 'string', text: value, position })
      i = j
      continue
    }
    if (c === '"') {
      const close = text.indexOf('"', i + 1)
      if (close < 0) throw new Cql2SyntaxError('unterminated quoted property name', position)
      tokens.push({ type: 'quoted', text: text.slice(i + 1, close), position })
      i = close + 1
      continue
    }
    const rest = text.slice(i)
    // There is no arithmetic here, so a sign before a digit always belongs to the number (POINT(7.6 -45)).
    const number = /[\d.+-]/.test(c) ? numberPattern.exec(rest) : null
    if (number) {
      tokens.push({ type: 'number', value: Number(number[0]), text: number[0], position })
      i += number[0].length
      continue
    }
    const word = wordPattern.exec(rest)
    if (word) {
      tokens.push({ type: 'word', text: word[0], position })
      i += word[0].length
      continue
    }
    const symbol = symbols.find((s) => rest.startsWith(s))
    if (symbol) {
      tokens.push({ type: 'symbol', text: symbol, position })
      i += symbol.length
      continue
    }
    throw new Cql2SyntaxError(`unexpected character ${JSON.stringify(c)}`, position)
  }
  tokens.push({ type: 'end', position: text.length + 1 })
  return tokens
}

const reservedWords = new Set([
  'AND',
  'OR',
  'NOT',
  'LIKE',
  'ILIKE',
  'BETWEEN',
  'IN',
  'IS',
  'NULL',
  'TRUE',
  'FALSE',
  'TIMESTAMP',
  'DATE',
  'INTERVAL',
])
const comparisons = new Set<string>(['=', '<>', '<', '>', '<=', '>='])
const temporalOperators: Record<string, Cql2TemporalOperator> = {
  T_INTERSECTS: 't_intersects',
  T_BEFORE: 't_before',
  T_AFTER: 't_after',
}
const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i
const datePattern = /^\d{4}-\d{2}-\d{2}$/
const mirrored: Record<Cql2Comparison, Cql2Comparison> = {
  '=': '=',
  '<>': '<>',
  '<': '>',
  '>': '<',
  '<=': '>=',
  '>=': '<=',
}

/** An RFC 3339 instant or a day that names a real date (2024-02-30 does not). */
export function isCql2Instant(text: string): boolean {
  return instantPattern.test(text) && !Number.isNaN(Date.parse(text)) && realDay(text.slice(0, 10))
}

export function isCql2Date(text: string): boolean {
  return datePattern.test(text) && realDay(text)
}

function realDay(day: string): boolean {
  const date = new Date(`${day}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === day
}

type Operand = { kind: 'property'; property: Cql2Property } | { kind: 'literal'; literal: Cql2Literal }

class Parser {
  private index = 0
  private depth = 0

  constructor(private readonly tokens: Token[]) {}

  parse(): Cql2Node {
    const node = this.orExpression()
    const next = this.peek()
    if (next.type !== 'end') throw new Cql2SyntaxError(`unexpected ${describe(next)}`, next.position)
    return node
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!
  }

  private next(): Token {
    const token = this.peek()
    if (token.type !== 'end') this.index += 1
    return token
  }

  private isWord(token: Token, word: string): boolean {
    return token.type === 'word' && token.text.toUpperCase() === word
  }

  private isSymbol(token: Token, symbol: string): boolean {
    return token.type === 'symbol' && token.text === symbol
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(this.peek(), word)) return false
    this.index += 1
    return true
  }

  private expectSymbol(symbol: string, what = `"${symbol}"`): Token {
    const token = this.next()
    if (token.type !== 'symbol' || token.text !== symbol)
      throw new Cql2SyntaxError(`expected ${what}, found ${describe(token)}`, token.position)
    return token
  }

  private nest<T>(position: number, parse: () => T): T {
    this.depth += 1
    if (this.depth > cql2NestingMax)
      throw new Cql2SyntaxError(`the filter nests deeper than ${cql2NestingMax} levels`, position)
    try {
      return parse()
    } finally {
      this.depth -= 1
    }
  }

  private orExpression(): Cql2Node {
    const args = [this.andExpression()]
    while (this.acceptWord('OR')) args.push(this.andExpression())
    return args.length === 1 ? args[0]! : { type: 'or', args }
  }

  private andExpression(): Cql2Node {
    const args = [this.factor()]
    while (this.acceptWord('AND')) args.push(this.factor())
    return args.length === 1 ? args[0]! : { type: 'and', args }
  }

  private factor(): Cql2Node {
    const token = this.peek()
    if (this.acceptWord('NOT')) return this.nest(token.position, () => ({ type: 'not', arg: this.factor() }))
    return this.primary()
  }

  private primary(): Cql2Node {
    const token = this.peek()
    if (this.isSymbol(token, '(')) {
      this.next()
      const node = this.nest(token.position, () => this.orExpression())
      this.expectSymbol(')', `")" to close the "(" at character ${token.position}`)
      return node
    }
    if (token.type === 'word') {
      const upper = token.text.toUpperCase()
      if (upper === 'S_INTERSECTS') return this.spatialPredicate()
      if (upper in temporalOperators) return this.temporalPredicate(temporalOperators[upper]!)
      if (/^[ST]_[A-Z]+$/.test(upper) && this.isSymbol(this.peek(1), '('))
        throw new Cql2SyntaxError(
          `${token.text} is not supported; the spatial and temporal functions are S_INTERSECTS, T_INTERSECTS, T_BEFORE and T_AFTER`,
          token.position,
        )
    }
    const operand = this.operand()
    const after = this.peek()
    if (after.type === 'symbol' && comparisons.has(after.text)) {
      this.next()
      const right = this.operand()
      return this.comparison(operand, after.text as Cql2Comparison, right, after.position)
    }
    const negated = this.acceptWord('NOT')
    const predicate = this.peek()
    let node: Cql2Node | undefined
    if (this.isWord(predicate, 'LIKE') || this.isWord(predicate, 'ILIKE')) {
      this.next()
      const property = this.requireProperty(operand, predicate.position)
      const pattern = this.operand()
      if (pattern.kind !== 'literal' || pattern.literal.kind !== 'string')
        throw new Cql2SyntaxError('LIKE takes a string pattern', this.operandPosition(pattern))
      node = {
        type: 'like',
        property,
        pattern: pattern.literal,
        caseInsensitive: this.isWord(predicate, 'ILIKE'),
      }
    } else if (this.isWord(predicate, 'BETWEEN')) {
      this.next()
      const property = this.requireProperty(operand, predicate.position)
      const low = this.literal('BETWEEN')
      if (!this.acceptWord('AND'))
        throw new Cql2SyntaxError(
          `expected AND in BETWEEN, found ${describe(this.peek())}`,
          this.peek().position,
        )
      const high = this.literal('BETWEEN')
      node = { type: 'between', property, low, high }
    } else if (this.isWord(predicate, 'IN')) {
      this.next()
      const property = this.requireProperty(operand, predicate.position)
      this.expectSymbol('(', '"(" to open the IN list')
      const values = [this.literal('IN')]
      while (this.isSymbol(this.peek(), ',')) {
        this.next()
        if (values.length >= cql2InValuesMax)
          throw new Cql2SyntaxError(
            `an IN list holds at most ${cql2InValuesMax} values`,
            this.peek().position,
          )
        values.push(this.literal('IN'))
      }
      this.expectSymbol(')', '")" to close the IN list')
      node = { type: 'in', property, values }
    } else if (!negated && this.isWord(predicate, 'IS')) {
      this.next()
      const property = this.requireProperty(operand, predicate.position)
      const isNot = this.acceptWord('NOT')
      if (!this.acceptWord('NULL'))
        throw new Cql2SyntaxError(`expected NULL, found ${describe(this.peek())}`, this.peek().position)
      const isNull: Cql2Node = { type: 'isNull', property }
      return isNot ? { type: 'not', arg: isNull } : isNull
    }
    if (node) return negated ? { type: 'not', arg: node } : node
    if (negated)
      throw new Cql2SyntaxError(
        `expected LIKE, BETWEEN or IN after NOT, found ${describe(predicate)}`,
        predicate.position,
      )
    if (operand.kind === 'literal' && operand.literal.kind === 'boolean')
      return { type: 'boolean', value: operand.literal.value }
    throw new Cql2SyntaxError(
      `expected a comparison, LIKE, BETWEEN, IN or IS NULL after ${operand.kind === 'property' ? operand.property.name : 'the literal'}, found ${describe(predicate)}`,
      predicate.position,
    )
  }

  /** Basic CQL2 compares a property with a literal, either way round. */
  private comparison(left: Operand, op: Cql2Comparison, right: Operand, position: number): Cql2Node {
    if (left.kind === 'property' && right.kind === 'literal')
      return { type: 'compare', op, property: left.property, value: right.literal }
    if (left.kind === 'literal' && right.kind === 'property')
      return { type: 'compare', op: mirrored[op], property: right.property, value: left.literal }
    throw new Cql2SyntaxError(
      left.kind === 'property'
        ? 'comparing two properties is not supported: compare a property with a literal'
        : 'comparing two literals says nothing about the features: compare a property with a literal',
      position,
    )
  }

  private requireProperty(operand: Operand, position: number): Cql2Property {
    if (operand.kind !== 'property')
      throw new Cql2SyntaxError('the left side of this predicate must be a property', position)
    return operand.property
  }

  private operandPosition(operand: Operand): number {
    return operand.kind === 'property' ? operand.property.position : operand.literal.position
  }

  private literal(context: string): Cql2Literal {
    const operand = this.operand()
    if (operand.kind !== 'literal')
      throw new Cql2SyntaxError(`${context} takes literal values, not properties`, operand.property.position)
    return operand.literal
  }

  private operand(): Operand {
    const token = this.next()
    switch (token.type) {
      case 'string':
        return { kind: 'literal', literal: { kind: 'string', value: token.text, position: token.position } }
      case 'number':
        if (!Number.isFinite(token.value))
          throw new Cql2SyntaxError(`number ${token.text} is out of range`, token.position)
        return { kind: 'literal', literal: { kind: 'number', value: token.value, position: token.position } }
      case 'quoted':
        return { kind: 'property', property: { name: token.text, position: token.position } }
      case 'word': {
        const upper = token.text.toUpperCase()
        if (upper === 'TRUE' || upper === 'FALSE')
          return {
            kind: 'literal',
            literal: { kind: 'boolean', value: upper === 'TRUE', position: token.position },
          }
        if (upper === 'TIMESTAMP' || upper === 'DATE') {
          const value = this.temporalLiteral(upper, token.position)
          return { kind: 'literal', literal: value }
        }
        if (reservedWords.has(upper))
          throw new Cql2SyntaxError(`expected a property or a literal, found ${upper}`, token.position)
        return { kind: 'property', property: { name: token.text, position: token.position } }
      }
      default:
        throw new Cql2SyntaxError(
          `expected a property or a literal, found ${describe(token)}`,
          token.position,
        )
    }
  }

  /** TIMESTAMP('…') or DATE('…'), the function name already read. */
  private temporalLiteral(
    kind: 'TIMESTAMP' | 'DATE',
    position: number,
  ): { kind: 'timestamp' | 'date'; value: string; position: number } {
    this.expectSymbol('(', `"(" after ${kind}`)
    const text = this.next()
    if (text.type !== 'string')
      throw new Cql2SyntaxError(`${kind} takes a quoted string, found ${describe(text)}`, text.position)
    if (kind === 'TIMESTAMP' && !isCql2Instant(text.text))
      throw new Cql2SyntaxError(
        `'${text.text}' is not an RFC 3339 instant (like 2024-01-05T10:00:00Z)`,
        text.position,
      )
    if (kind === 'DATE' && !isCql2Date(text.text))
      throw new Cql2SyntaxError(`'${text.text}' is not a date (like 2024-01-05)`, text.position)
    this.expectSymbol(')', `")" to close ${kind}`)
    return { kind: kind === 'TIMESTAMP' ? 'timestamp' : 'date', value: text.text, position }
  }

  private spatialPredicate(): Cql2Node {
    const name = this.next()
    this.expectSymbol('(', '"(" after S_INTERSECTS')
    const first = this.spatialArgument()
    this.expectSymbol(',', '"," between the arguments of S_INTERSECTS')
    const second = this.spatialArgument()
    this.expectSymbol(')', '")" to close S_INTERSECTS')
    if (first.kind === 'property' && second.kind === 'geometry')
      return {
        type: 's_intersects',
        property: first.property,
        geometry: second.geometry,
        position: name.position,
      }
    if (first.kind === 'geometry' && second.kind === 'property')
      return {
        type: 's_intersects',
        property: second.property,
        geometry: first.geometry,
        position: name.position,
      }
    throw new Cql2SyntaxError(
      'S_INTERSECTS takes the geometry property and a geometry literal',
      name.position,
    )
  }

  private spatialArgument():
    | { kind: 'property'; property: Cql2Property }
    | { kind: 'geometry'; geometry: Cql2Geometry } {
    const token = this.next()
    if (token.type === 'quoted')
      return { kind: 'property', property: { name: token.text, position: token.position } }
    if (token.type !== 'word')
      throw new Cql2SyntaxError(`expected a geometry, found ${describe(token)}`, token.position)
    const upper = token.text.toUpperCase()
    const counter = { positions: 0 }
    switch (upper) {
      case 'POINT': {
        this.expectSymbol('(', '"(" after POINT')
        const coordinates = this.position(counter)
        this.expectSymbol(')', '")" to close POINT')
        return { kind: 'geometry', geometry: { type: 'Point', coordinates } }
      }
      case 'LINESTRING': {
        const coordinates = this.positionList(counter)
        if (coordinates.length < 2)
          throw new Cql2SyntaxError('a LINESTRING has at least two positions', token.position)
        return { kind: 'geometry', geometry: { type: 'LineString', coordinates } }
      }
      case 'POLYGON': {
        this.expectSymbol('(', '"(" after POLYGON')
        const rings = [this.ring(counter)]
        while (this.isSymbol(this.peek(), ',')) {
          this.next()
          rings.push(this.ring(counter))
        }
        this.expectSymbol(')', '")" to close POLYGON')
        return { kind: 'geometry', geometry: { type: 'Polygon', coordinates: rings } }
      }
      case 'BBOX': {
        this.expectSymbol('(', '"(" after BBOX')
        const numbers = [this.number()]
        while (this.isSymbol(this.peek(), ',')) {
          this.next()
          numbers.push(this.number())
        }
        this.expectSymbol(')', '")" to close BBOX')
        if (numbers.length !== 4 && numbers.length !== 6)
          throw new Cql2SyntaxError('a BBOX has 4 numbers (or 6 with heights)', token.position)
        const [w, s, e, n] =
          numbers.length === 6 ? [numbers[0]!, numbers[1]!, numbers[3]!, numbers[4]!] : numbers
        checkLonLat([w!, s!], token.position)
        checkLonLat([e!, n!], token.position)
        if (s! > n!)
          throw new Cql2SyntaxError('the BBOX south edge is north of its north edge', token.position)
        return { kind: 'geometry', geometry: { type: 'BBox', bbox: [w!, s!, e!, n!] } }
      }
      default:
        if (reservedWords.has(upper) || /^(MULTI\w+|GEOMETRYCOLLECTION)$/.test(upper))
          throw new Cql2SyntaxError(
            `expected the geometry property or a POINT, LINESTRING, POLYGON or BBOX, found ${token.text}`,
            token.position,
          )
        return { kind: 'property', property: { name: token.text, position: token.position } }
    }
  }

  private number(): number {
    const token = this.next()
    if (token.type !== 'number' || !Number.isFinite(token.value))
      throw new Cql2SyntaxError(`expected a number, found ${describe(token)}`, token.position)
    return token.value
  }

  /** lon lat, with an optional height that a 2D map drops. */
  private position(counter: { positions: number }): number[] {
    const start = this.peek().position
    const lon = this.number()
    const lat = this.number()
    if (this.peek().type === 'number') this.number()
    checkLonLat([lon, lat], start)
    counter.positions += 1
    if (counter.positions > cql2GeometryPositionsMax)
      throw new Cql2SyntaxError(
        `a geometry literal holds at most ${cql2GeometryPositionsMax} positions`,
        start,
      )
    return [lon, lat]
  }

  private positionList(counter: { positions: number }): number[][] {
    this.expectSymbol('(', '"(" to open a list of positions')
    const positions = [this.position(counter)]
    while (this.isSymbol(this.peek(), ',')) {
      this.next()
      positions.push(this.position(counter))
    }
    this.expectSymbol(')', '")" to close the list of positions')
    return positions
  }

  private ring(counter: { positions: number }): number[][] {
    const start = this.peek().position
    const ring = this.positionList(counter)
    const first = ring[0]!
    const last = ring.at(-1)!
    if (ring.length < 4 || first[0] !== last[0] || first[1] !== last[1])
      throw new Cql2SyntaxError(
        'a polygon ring is closed (its last position is its first) and has at least 4',
        start,
      )
    return ring
  }

  private temporalPredicate(op: Cql2TemporalOperator): Cql2Node {
    const name = this.next()
    const upper = name.type === 'word' ? name.text.toUpperCase() : ''
    this.expectSymbol('(', `"(" after ${upper}`)
    const left = this.temporalArgument()
    this.expectSymbol(',', `"," between the arguments of ${upper}`)
    const right = this.temporalArgument()
    this.expectSymbol(')', `")" to close ${upper}`)
    return { type: 'temporal', op, left, right, position: name.position }
  }

  private temporalArgument(): Cql2Temporal {
    const token = this.peek()
    if (this.isWord(token, 'INTERVAL')) {
      this.next()
      this.expectSymbol('(', '"(" after INTERVAL')
      const start = this.intervalBound()
      this.expectSymbol(',', '"," between the ends of INTERVAL')
      const end = this.intervalBound()
      this.expectSymbol(')', '")" to close INTERVAL')
      return { kind: 'interval', start, end, position: token.position }
    }
    const operand = this.operand()
    if (operand.kind === 'property') return operand
    const { literal } = operand
    if (literal.kind === 'timestamp' || literal.kind === 'date') return literal
    throw new Cql2SyntaxError(
      'temporal functions take date-time properties, TIMESTAMP(…), DATE(…) or INTERVAL(…, …)',
      literal.position,
    )
  }

  private intervalBound(): Cql2IntervalBound {
    const token = this.peek()
    if (token.type === 'string') {
      this.next()
      if (token.text === '..') return { kind: 'open' }
      if (isCql2Instant(token.text)) return { kind: 'timestamp', value: token.text, position: token.position }
      if (isCql2Date(token.text)) return { kind: 'date', value: token.text, position: token.position }
      throw new Cql2SyntaxError(
        `'${token.text}' is not an instant, a date or '..' (an open end)`,
        token.position,
      )
    }
    const operand = this.operand()
    if (operand.kind === 'property') return operand
    const { literal } = operand
    if (literal.kind === 'timestamp' || literal.kind === 'date') return literal
    throw new Cql2SyntaxError(
      "an INTERVAL end is a property, TIMESTAMP(…), DATE(…) or '..'",
      literal.position,
    )
  }
}

function checkLonLat([lon, lat]: number[], position: number) {
  if (!(lon! >= -180 && lon! <= 180 && lat! >= -90 && lat! <= 90))
    throw new Cql2SyntaxError(
      `position ${lon} ${lat} is outside CRS84 (longitude -180…180, latitude -90…90, in that order)`,
      position,
    )
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the filter'
    case 'string':
      return `the string '${token.text}'`
    case 'number':
      return `the number ${token.text}`
    case 'quoted':
      return `"${token.text}"`
    case 'word':
    case 'symbol':
      return JSON.stringify(token.text)
    default: {
      const unhandled: never = token
      throw new Error(`unhandled token ${JSON.stringify(unhandled)}`)
    }
  }
}

/** Parses CQL2 text into a tree, or says what is wrong and where (1-based character position). */
export function parseCql2Text(text: string): Cql2ParseResult {
  if (text.length > cql2TextLengthMax)
    return { ok: false, message: `the filter is longer than ${cql2TextLengthMax} characters`, position: 1 }
  try {
    return { ok: true, node: new Parser(tokenize(text)).parse() }
  } catch (error) {
    if (error instanceof Cql2SyntaxError)
      return { ok: false, message: error.message, position: error.position }
    throw error
  }
}
