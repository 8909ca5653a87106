import type { Comment, Post } from '@quartiere/contracts'
import type { InfiniteData } from '@tanstack/react-query'

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

/** A list the API pages with a cursor, as the query cache holds it: the pages loaded so far. */
export type Paged<T> = InfiniteData<{ items: T[]; nextCursor: string | null }>

/**
 * Puts a post or comment the member just wrote or changed (the API's answer) in the cached pages at once: in the
 * page that holds it, else in the first. The live feed then marks the thread stale and it is read again.
 */
export function withItem<T extends { id: string }>(
  data: Paged<T> | undefined,
  item: T,
  merge: (items: readonly T[], item: T) => T[],
): Paged<T> {
  if (!data || data.pages.length === 0)
    return { pages: [{ items: [item], nextCursor: null }], pageParams: [undefined] }
  const holder = data.pages.findIndex((page) => page.items.some((existing) => existing.id === item.id))
  const target = Math.max(holder, 0)
  return {
    ...data,
    pages: data.pages.map((page, index) =>
      index === target ? { ...page, items: merge(page.items, item) } : page,
    ),
  }
}

/** All the pages' items in the thread's order, each once. */
export function itemsOf<T>(data: Paged<T> | undefined, merge: (items: readonly T[], item: T) => T[]): T[] {
  return (data?.pages ?? []).flatMap((page) => page.items).reduce<T[]>(merge, [])
}
