import type { Comment, Post } from '@quartiere/contracts'
import { describe, expect, it } from 'vitest'
import { itemsOf, mergeComment, mergePost, type Paged, withItem } from './thread'

const post = (id: string, createdAt: string, version = 1, body = id): Post => ({
  id,
  entityId: '00000000-0000-4000-8000-000000000000',
  author: null,
  title: '',
  body,
  tags: [],
  images: [],
  commentsCount: 0,
  version,
  removed: false,
  hidden: false,
  createdAt,
  updatedAt: createdAt,
  lastActivityAt: createdAt,
})
const comment = (id: string, createdAt: string, version = 1): Comment => ({
  id,
  postId: 'p',
  author: null,
  body: id,
  version,
  removed: false,
  hidden: false,
  createdAt,
  updatedAt: createdAt,
})

describe('thread merging', () => {
  it('keeps posts newest first and one copy of each, whatever order they arrive in', () => {
    let posts: Post[] = []
    posts = mergePost(posts, post('b', '2026-01-02T00:00:00Z'))
    posts = mergePost(posts, post('a', '2026-01-01T00:00:00Z'))
    posts = mergePost(posts, post('c', '2026-01-03T00:00:00Z'))
    posts = mergePost(posts, post('c', '2026-01-03T00:00:00Z'))
    expect(posts.map((item) => item.id)).toEqual(['c', 'b', 'a'])
  })

  it('never lets an older version replace a newer one', () => {
    let posts = [post('a', '2026-01-01T00:00:00Z', 2, 'edited')]
    posts = mergePost(posts, post('a', '2026-01-01T00:00:00Z', 1, 'original'))
    expect(posts[0]?.body).toBe('edited')
    posts = mergePost(posts, post('a', '2026-01-01T00:00:00Z', 3, 'again'))
    expect(posts[0]?.body).toBe('again')
  })

  it('keeps comments oldest first', () => {
    let comments: Comment[] = []
    comments = mergeComment(comments, comment('y', '2026-01-02T00:00:00Z'))
    comments = mergeComment(comments, comment('x', '2026-01-01T00:00:00Z'))
    expect(comments.map((item) => item.id)).toEqual(['x', 'y'])
  })
})

const pages = (...lists: Post[][]): Paged<Post> => ({
  pages: lists.map((items, index) => ({ items, nextCursor: index < lists.length - 1 ? `c${index}` : null })),
  pageParams: lists.map((_, index) => (index === 0 ? undefined : `c${index - 1}`)),
})

describe('the thread in the query cache', () => {
  it('starts a list of one when nothing was read yet', () => {
    const data = withItem(undefined, post('a', '2026-01-01T10:00:00Z'), mergePost)
    expect(itemsOf(data, mergePost).map((item) => item.id)).toEqual(['a'])
    expect(data.pages[0]?.nextCursor).toBeNull()
  })

  it('puts a new post in the first page, newest first', () => {
    const data = pages([post('b', '2026-01-02T10:00:00Z')], [post('a', '2026-01-01T10:00:00Z')])
    const next = withItem(data, post('c', '2026-01-03T10:00:00Z'), mergePost)
    expect(next.pages[0]?.items.map((item) => item.id)).toEqual(['c', 'b'])
    expect(next.pages[1]).toBe(data.pages[1])
    expect(next.pageParams).toEqual(data.pageParams)
  })

  it('changes a post in the page that holds it, and keeps the newer version', () => {
    const data = pages([post('b', '2026-01-02T10:00:00Z')], [post('a', '2026-01-01T10:00:00Z', 2, 'new')])
    const edited = withItem(data, post('a', '2026-01-01T10:00:00Z', 3, 'newer'), mergePost)
    expect(edited.pages[0]).toBe(data.pages[0])
    expect(edited.pages[1]?.items[0]?.body).toBe('newer')
    const stale = withItem(data, post('a', '2026-01-01T10:00:00Z', 1, 'old'), mergePost)
    expect(stale.pages[1]?.items[0]?.body).toBe('new')
    expect(itemsOf(stale, mergePost)).toHaveLength(2)
  })

  it('lists every page once, in order, even when a post moved between pages on a new read', () => {
    const data = pages(
      [post('c', '2026-01-03T10:00:00Z'), post('b', '2026-01-02T10:00:00Z')],
      [post('b', '2026-01-02T10:00:00Z'), post('a', '2026-01-01T10:00:00Z')],
    )
    expect(itemsOf(data, mergePost).map((item) => item.id)).toEqual(['c', 'b', 'a'])
    expect(itemsOf(undefined, mergePost)).toEqual([])
  })
})
