import type { Comment, Post } from '@quartiere/contracts'

/**
 * A thread's lists as they change: pages, the member's own writes and live events may bring the same post or
 * comment more than once and in any order. Each merge keeps one copy (the newest version) in the thread's order:
 * posts newest first, comments oldest first.
 */

function merge<T extends { id: string; version: number; createdAt: string }>(
  items: readonly T[],
  item: T,
  newestFirst: boolean,
): T[] {
  const index = items.findIndex((existing) => existing.id === item.id)
  if (index >= 0) {
    const existing = items[index] as T
    if (existing.version > item.version) return items as T[]
    const next = [...items]
    next[index] = { ...existing, ...item }
    return next
  }
  const next = [...items, item]
  next.sort((a, b) =>
    newestFirst ? b.createdAt.localeCompare(a.createdAt) : a.createdAt.localeCompare(b.createdAt),
  )
  return next
}

export function mergePost(posts: readonly Post[], post: Post): Post[] {
  return merge(posts, post, true)
}

export function mergeComment(comments: readonly Comment[], comment: Comment): Comment[] {
  return merge(comments, comment, false)
}

/** A removed post stays as a placeholder; a hidden one (moderation) leaves the thread. */
export function removedPost(posts: readonly Post[], id: string, hidden: boolean): Post[] {
  if (hidden) return posts.filter((post) => post.id !== id)
  return posts.map((post) => (post.id === id ? { ...post, removed: true, title: '', body: '' } : post))
}

export function removedComment(comments: readonly Comment[], id: string, hidden: boolean): Comment[] {
  if (hidden) return comments.filter((comment) => comment.id !== id)
  return comments.map((comment) => (comment.id === id ? { ...comment, removed: true, body: '' } : comment))
}
