import type { Comment, Post, User } from '@quartiere/contracts'
import { type FormEvent, useCallback, useEffect, useState } from 'react'
import type { ApiClient } from '../api/client'
import { ApiProblem } from '../api/problem'
import { useI18n } from '../i18n/i18n'
import type { LiveHub } from '../live/hub'
import { mergeComment, mergePost, removedComment, removedPost } from '../state/thread'
import { problemMessage } from './messages'

export interface ThreadProps {
  api: ApiClient
  entityId: string
  user: User | null
  hub: LiveHub
}

interface Failure {
  text: string
  fields: Record<string, string>
}

function failureOf(i18n: ReturnType<typeof useI18n>, failure: unknown): Failure {
  if (failure instanceof ApiProblem)
    return { text: problemMessage(i18n, failure), fields: failure.fieldErrors() }
  return { text: String(failure), fields: {} }
}

/**
 * What every form of the thread does when sent: busy while its action runs, and the API's refusal (its text and
 * its field errors) kept to show next to the fields. `run` also serves the buttons that act without a form.
 */
function useAction() {
  const i18n = useI18n()
  const [failure, setFailure] = useState<Failure | null>(null)
  const [busy, setBusy] = useState(false)
  const run = async (action: () => Promise<void>) => {
    setBusy(true)
    setFailure(null)
    try {
      await action()
    } catch (caught) {
      setFailure(failureOf(i18n, caught))
    } finally {
      setBusy(false)
    }
  }
  const onSubmit = (action: () => Promise<void>) => (event: FormEvent) => {
    event.preventDefault()
    void run(action)
  }
  return { busy, failure, run, onSubmit }
}

/**
 * A thing's wall: posts newest first (paged with "more"), each with its comments oldest first, forms to write
 * both when logged in, editing and removing one's own, and new posts and comments arriving live.
 */
export function Thread({ api, entityId, user, hub }: ThreadProps) {
  const i18n = useI18n()
  const { t } = i18n
  const [posts, setPosts] = useState<Post[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [loaded, setLoaded] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    const controller = new AbortController()
    setPosts([])
    setLoaded(false)
    api
      .posts(entityId, undefined, controller.signal)
      .then((page) => {
        setPosts((current) => page.items.reduce(mergePost, current))
        setNextCursor(page.nextCursor)
        setLoaded(true)
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(failureOf(i18n, failure).text)
      })
    return () => controller.abort()
  }, [api, entityId, i18n])

  useEffect(
    () =>
      hub.on((event) => {
        const data = event.data as { entityId?: string; id?: string; postId?: string } | null
        if (!data || data.entityId !== entityId) return
        switch (event.topic) {
          case 'post.created':
          case 'post.updated':
            setPosts((current) => mergePost(current, event.data as Post))
            return
          case 'post.deleted':
          case 'post.hidden':
            if (data.id)
              setPosts((current) => removedPost(current, data.id as string, event.topic === 'post.hidden'))
            return
          default:
            return
        }
      }),
    [hub, entityId],
  )

  const more = async () => {
    if (!nextCursor) return
    try {
      const page = await api.posts(entityId, nextCursor)
      setPosts((current) => page.items.reduce(mergePost, current))
      setNextCursor(page.nextCursor)
    } catch (failure) {
      setError(failureOf(i18n, failure).text)
    }
  }

  return (
    <section className="thread" aria-labelledby="thread-title" data-testid="thread">
      <h3 id="thread-title">{t('thread.title')}</h3>
      {user ? (
        <PostForm
          api={api}
          entityId={entityId}
          onPosted={(post) => setPosts((current) => mergePost(current, post))}
        />
      ) : (
        <p className="hint">{t('thread.loginToPost')}</p>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {loaded && posts.length === 0 && <p className="empty">{t('thread.empty')}</p>}
      <ol className="posts">
        {posts.map((post) => (
          <PostItem
            key={post.id}
            api={api}
            post={post}
            user={user}
            hub={hub}
            onChanged={(changed) => setPosts((current) => mergePost(current, changed))}
          />
        ))}
      </ol>
      {nextCursor && (
        <button type="button" className="more" onClick={() => void more()} data-testid="posts-more">
          {t('thread.morePosts')}
        </button>
      )}
    </section>
  )
}

function PostForm({
  api,
  entityId,
  onPosted,
}: {
  api: ApiClient
  entityId: string
  onPosted(post: Post): void
}) {
  const { t } = useI18n()
  const [title, setTitle] = useState('')
  const [body, setBody] = useState('')
  const { busy, failure, onSubmit } = useAction()
  const submit = onSubmit(async () => {
    onPosted(await api.createPost(entityId, { ...(title.trim() ? { title: title.trim() } : {}), body }))
    setTitle('')
    setBody('')
  })
  return (
    <form className="post-form" onSubmit={submit} noValidate data-testid="post-form">
      <div className={failure?.fields.title ? 'field invalid' : 'field'}>
        <label htmlFor={`post-title-${entityId}`}>{t('thread.postTitle')}</label>
        <input
          id={`post-title-${entityId}`}
          value={title}
          maxLength={200}
          onChange={(event) => setTitle(event.target.value)}
          aria-invalid={!!failure?.fields.title}
        />
        {failure?.fields.title && <p className="field-error">{failure.fields.title}</p>}
      </div>
      <div className={failure?.fields.body ? 'field invalid' : 'field'}>
        <label htmlFor={`post-body-${entityId}`}>{t('thread.postBody')}</label>
        <textarea
          id={`post-body-${entityId}`}
          value={body}
          rows={3}
          onChange={(event) => setBody(event.target.value)}
          aria-invalid={!!failure?.fields.body}
          data-testid="post-body"
        />
        {failure?.fields.body && (
          <p className="field-error" data-testid="post-body-error">
            {failure.fields.body}
          </p>
        )}
      </div>
      <button type="submit" disabled={busy} data-testid="post-submit">
        {t('thread.publish')}
      </button>
      {failure && (
        <p role="alert" className="error" data-testid="post-error">
          {failure.text}
        </p>
      )}
    </form>
  )
}

function PostItem({
  api,
  post,
  user,
  hub,
  onChanged,
}: {
  api: ApiClient
  post: Post
  user: User | null
  hub: LiveHub
  onChanged(post: Post): void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [comments, setComments] = useState<Comment[]>([])
  const [nextCursor, setNextCursor] = useState<string | null>(null)
  const [editing, setEditing] = useState(false)
  const { failure, run } = useAction()
  const mine = !!user && post.author?.id === user.id
  const moderator = !!user && (user.role === 'moderator' || user.role === 'admin')

  const loadComments = useCallback(
    async (cursor?: string) => {
      const page = await api.comments(post.id, cursor)
      setComments((current) => page.items.reduce(mergeComment, current))
      setNextCursor(page.nextCursor)
    },
    [api, post.id],
  )
  // Comments load with their post when it has any; new ones arrive live or from the form.
  // biome-ignore lint/correctness/useExhaustiveDependencies: loaded once per post, not on every count change.
  useEffect(() => {
    if (post.commentsCount > 0) loadComments().catch(() => undefined)
  }, [loadComments])

  // Comments on this post arriving live (from others, or this member in another tab).
  useEffect(
    () =>
      hub.on((event) => {
        const data = event.data as (Partial<Comment> & { id?: string; postId?: string }) | null
        if (!data || data.postId !== post.id || !event.topic.startsWith('comment.')) return
        if (event.topic === 'comment.deleted' || event.topic === 'comment.hidden') {
          const id = data.id
          if (id) setComments((current) => removedComment(current, id, event.topic === 'comment.hidden'))
        } else if (event.topic === 'comment.created' || event.topic === 'comment.updated') {
          setComments((current) => mergeComment(current, data as Comment))
        }
      }),
    [hub, post.id],
  )

  const remove = async () => {
    if (!window.confirm(t('thread.confirmRemove'))) return
    await run(async () => {
      await api.deletePost(post.id)
      onChanged({ ...post, removed: true, body: '', title: '' })
    })
  }

  return (
    <li className="post" data-testid="post" data-post-id={post.id}>
      {post.removed ? (
        <p className="removed">{t('thread.removed')}</p>
      ) : editing ? (
        <EditText
          initial={post.body}
          initialTitle={post.title}
          onCancel={() => setEditing(false)}
          onSave={async (body, title) => {
            onChanged(await api.updatePost(post.id, post.version, { body, title: title ?? '' }))
            setEditing(false)
          }}
        />
      ) : (
        <>
          {post.title && <h4 className="post-title">{post.title}</h4>}
          <p className="post-body" data-testid="post-text">
            {post.body}
          </p>
          <p className="post-meta">
            {post.author?.displayName ?? t('thread.someone')} · {i18n.dateTime(post.createdAt)}
            {post.updatedAt !== post.createdAt && ` · ${t('thread.edited')}`}
          </p>
          {(mine || moderator) && (
            <div className="row small">
              {mine && (
                <button type="button" className="link" onClick={() => setEditing(true)}>
                  {t('common.edit')}
                </button>
              )}
              <button type="button" className="link danger" onClick={() => void remove()}>
                {t('thread.remove')}
              </button>
            </div>
          )}
        </>
      )}
      {failure && (
        <p role="alert" className="error">
          {failure.text}
        </p>
      )}
      {comments.length > 0 && (
        <ol className="comments" aria-label={t('thread.comments')}>
          {comments.map((comment) => (
            <CommentItem
              key={comment.id}
              api={api}
              comment={comment}
              user={user}
              onChanged={(changed) => setComments((current) => mergeComment(current, changed))}
            />
          ))}
        </ol>
      )}
      {nextCursor && (
        <button type="button" className="link" onClick={() => void loadComments(nextCursor)}>
          {t('thread.moreComments')}
        </button>
      )}
      {user && !post.removed && (
        <CommentForm
          api={api}
          postId={post.id}
          onCommented={(comment) => {
            setComments((current) => mergeComment(current, comment))
            onChanged({ ...post, commentsCount: post.commentsCount + 1 })
          }}
        />
      )}
    </li>
  )
}

function CommentItem({
  api,
  comment,
  user,
  onChanged,
}: {
  api: ApiClient
  comment: Comment
  user: User | null
  onChanged(comment: Comment): void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [editing, setEditing] = useState(false)
  const { failure, run } = useAction()
  const mine = !!user && comment.author?.id === user.id
  const remove = async () => {
    if (!window.confirm(t('thread.confirmRemove'))) return
    await run(async () => {
      await api.deleteComment(comment.id)
      onChanged({ ...comment, removed: true, body: '' })
    })
  }
  if (comment.removed) {
    return (
      <li className="comment removed" data-testid="comment">
        {t('thread.removed')}
      </li>
    )
  }
  return (
    <li className="comment" data-testid="comment">
      {editing ? (
        <EditText
          initial={comment.body}
          onCancel={() => setEditing(false)}
          onSave={async (body) => {
            onChanged(await api.updateComment(comment.id, comment.version, body))
            setEditing(false)
          }}
        />
      ) : (
        <>
          <span className="comment-body" data-testid="comment-text">
            {comment.body}
          </span>{' '}
          <small className="post-meta">
            — {comment.author?.displayName ?? t('thread.someone')}, {i18n.dateTime(comment.createdAt)}
          </small>
          {mine && (
            <span className="row small">
              <button type="button" className="link" onClick={() => setEditing(true)}>
                {t('common.edit')}
              </button>
              <button type="button" className="link danger" onClick={() => void remove()}>
                {t('thread.remove')}
              </button>
            </span>
          )}
        </>
      )}
      {failure && (
        <p role="alert" className="error">
          {failure.text}
        </p>
      )}
    </li>
  )
}

function CommentForm({
  api,
  postId,
  onCommented,
}: {
  api: ApiClient
  postId: string
  onCommented(comment: Comment): void
}) {
  const { t } = useI18n()
  const [body, setBody] = useState('')
  const { busy, failure, onSubmit } = useAction()
  const submit = onSubmit(async () => {
    onCommented(await api.createComment(postId, body))
    setBody('')
  })
  return (
    <form className="comment-form" onSubmit={submit} noValidate data-testid="comment-form">
      <label className="visually-hidden" htmlFor={`comment-${postId}`}>
        {t('thread.commentLabel')}
      </label>
      <input
        id={`comment-${postId}`}
        className="comment-input"
        value={body}
        placeholder={t('thread.commentPlaceholder')}
        onChange={(event) => setBody(event.target.value)}
        aria-invalid={!!failure}
        data-testid="comment-body"
      />
      <button type="submit" disabled={busy} data-testid="comment-submit">
        {t('thread.comment')}
      </button>
      {failure && (
        <p role="alert" className="field-error" data-testid="comment-error">
          {failure.fields.body ?? failure.text}
        </p>
      )}
    </form>
  )
}

/** The inline editor of one's own post or comment; the API's refusal (412 when changed meanwhile) shown under it. */
function EditText({
  initial,
  initialTitle,
  onSave,
  onCancel,
}: {
  initial: string
  initialTitle?: string
  onSave(body: string, title?: string): Promise<void>
  onCancel(): void
}) {
  const { t } = useI18n()
  const [body, setBody] = useState(initial)
  const [title, setTitle] = useState(initialTitle ?? '')
  const { busy, failure, onSubmit } = useAction()
  const submit = onSubmit(() => onSave(body, initialTitle === undefined ? undefined : title))
  return (
    <form className="edit-text" onSubmit={submit} noValidate>
      {initialTitle !== undefined && (
        <input
          aria-label={t('thread.postTitle')}
          value={title}
          maxLength={200}
          onChange={(event) => setTitle(event.target.value)}
        />
      )}
      <textarea
        aria-label={t('thread.postBody')}
        value={body}
        rows={3}
        onChange={(event) => setBody(event.target.value)}
      />
      {failure && (
        <p role="alert" className="field-error">
          {failure.fields.body ?? failure.text}
        </p>
      )}
      <div className="row small">
        <button type="submit" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
