import type { Comment, Post } from '@quartiere/contracts'
import { describe, expect, it } from 'vitest'
import { mergeComment, mergePost, removedComment, removedPost } from './thread'

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

  it('keeps comments oldest first; removal leaves a placeholder, hiding takes it out', () => {
    let comments: Comment[] = []
    comments = mergeComment(comments, comment('y', '2026-01-02T00:00:00Z'))
    comments = mergeComment(comments, comment('x', '2026-01-01T00:00:00Z'))
    expect(comments.map((item) => item.id)).toEqual(['x', 'y'])
    expect(removedComment(comments, 'x', false)[0]).toMatchObject({ id: 'x', removed: true, body: '' })
    expect(removedComment(comments, 'x', true).map((item) => item.id)).toEqual(['y'])
    const posts = [post('a', '2026-01-01T00:00:00Z')]
    expect(removedPost(posts, 'a', false)[0]?.removed).toBe(true)
    expect(removedPost(posts, 'a', true)).toEqual([])
  })
})
