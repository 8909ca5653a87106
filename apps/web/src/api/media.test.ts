import { mediaUploadBytesMax } from '@quartiere/contracts/community-limits'
import { describe, expect, it } from 'vitest'
import { fileRefusal } from './media'

describe('fileRefusal', () => {
  it('refuses, before sending, what the API would: a type it does not take, a file over its limit', () => {
    expect(fileRefusal({ type: 'image/jpeg', size: 1000 })).toBeNull()
    expect(fileRefusal({ type: 'IMAGE/PNG', size: mediaUploadBytesMax })).toBeNull()
    expect(fileRefusal({ type: 'image/svg+xml', size: 1000 })).toBe('wrong_type')
    expect(fileRefusal({ type: 'text/plain', size: 10 })).toBe('wrong_type')
    expect(fileRefusal({ type: '', size: 10 })).toBe('wrong_type')
    expect(fileRefusal({ type: 'image/webp', size: mediaUploadBytesMax + 1 })).toBe('too_large')
  })
})
