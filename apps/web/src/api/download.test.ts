import { describe, expect, it } from 'vitest'
import { attachmentName } from './download'

const withDisposition = (value: string | null) =>
  new Response('', value ? { headers: { 'content-disposition': value } } : {})

describe('attachmentName', () => {
  it('reads the plain and the encoded file name', () => {
    expect(attachmentName(withDisposition('attachment; filename="statement.csv"'), 'x')).toBe('statement.csv')
    expect(attachmentName(withDisposition("attachment; filename*=UTF-8''dati%20personali.json"), 'x')).toBe(
      'dati personali.json',
    )
  })
  it('falls back when the server names nothing or names it badly', () => {
    expect(attachmentName(withDisposition(null), 'export.json')).toBe('export.json')
    expect(attachmentName(withDisposition("attachment; filename*=UTF-8''%E0%A4%A"), 'export.json')).toBe(
      'export.json',
    )
  })
})
