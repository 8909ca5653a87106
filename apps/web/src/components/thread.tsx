import type { Comment, Media, Post, User } from '@quartiere/contracts'
import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, Suspense, useEffect, useRef, useState } from 'react'
import type { ApiClient, TokenSource } from '../api/client'
import { ApiProblem } from '../api/problem'
import { useI18n } from '../i18n/i18n'
import { useMessages } from '../i18n/screen-messages'
import { outboxMessages } from '../offline/messages'
import { useOutbox, WordedError } from '../offline/outbox-context'
import { PendingInThread } from '../offline/outbox-item'
import { queryKeys } from '../queries/query-keys'
import { itemsOf, mergeComment, mergePost, type Paged, withItem } from '../state/thread'
import { FormMessage } from './form-message'
import { problemMessage } from './messages'
import { PostPhotoPicker, PostPhotos } from './photos/lazy'
import { ReportButton } from './report/report-button'

export interface ThreadProps {
  api: ApiClient
  entityId: string
  user: User | null
  /** The session's tokens, for photo uploads (see api/media.ts). */
  tokens?: TokenSource
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
 * both when logged in, editing and removing one's own. What others write arrives through the live feed, which
 * marks the thread stale (queries/live-invalidation.ts): the pages shown are read again.
 */
export function Thread({ api, entityId, user, tokens }: ThreadProps) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  const postsKey = queryKeys.thread.posts(entityId)
  // What the reader may do with each post and comment (`can`) is answered per reader: read again on sign-in/out.
  const readerId = user?.id ?? null
  const readBy = useRef(readerId)
  useEffect(() => {
    if (readBy.current === readerId) return
    readBy.current = readerId
    void queryClient.invalidateQueries({ queryKey: queryKeys.thread.all(entityId) })
  }, [queryClient, entityId, readerId])
  const query = useInfiniteQuery({
    queryKey: postsKey,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => api.posts(entityId, pageParam, signal),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const posts = itemsOf(query.data, mergePost)
  const loaded = query.isSuccess
  const error = query.error ? failureOf(i18n, query.error).text : null
  const changed = (post: Post) =>
    queryClient.setQueryData<Paged<Post>>(postsKey, (current) => withItem(current, post, mergePost))

  return (
    <section className="thread" aria-labelledby="thread-title" data-testid="thread">
      <h3 id="thread-title">{t('thread.title')}</h3>
      {user ? (
        <PostForm api={api} entityId={entityId} onPosted={changed} tokens={tokens} />
      ) : (
        <p className="hint">{t('thread.loginToPost')}</p>
      )}
      <FormMessage message={error} />
      <PendingInThread entityId={entityId} postId={null} />
      {loaded && posts.length === 0 && <p className="empty">{t('thread.empty')}</p>}
      <ol className="posts">
        {posts.map((post) => (
          <PostItem key={post.id} api={api} entityId={entityId} post={post} user={user} onChanged={changed} />
        ))}
      </ol>
      {query.hasNextPage && (
        <button
          type="button"
          className="more"
          onClick={() => void query.fetchNextPage()}
          data-testid="posts-more"
        >
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
  tokens,
}: {
  api: ApiClient
  entityId: string
  onPosted(post: Post): void
  tokens: TokenSource | undefined
}) {
  const { t } = useI18n()
  const { m } = useMessages(outboxMessages)
  const runtime = useOutbox()
  const offline = runtime ? !runtime.online : false
  const [title, setTitle] = useState('')
  const [body, setBody] = useState('')
  const [photos, setPhotos] = useState<Media[]>([])
  const [addingPhotos, setAddingPhotos] = useState(false)
  const [queued, setQueued] = useState(false)
  const { busy, failure, onSubmit } = useAction()
  const submit = onSubmit(async () => {
    setQueued(false)
    const post = {
      ...(title.trim() ? { title: title.trim() } : {}),
      body,
      ...(photos.length > 0 ? { images: photos.map((photo) => photo.id) } : {}),
    }
    // A post without photos waits in the device's queue when the connection is down; photos are not queued.
    if (runtime && photos.length === 0) {
      const outcome = await runtime.submit({
        kind: 'post',
        path: `/api/entities/${encodeURIComponent(entityId)}/posts`,
        body: post,
        entityId,
        postId: null,
      })
      if ('sent' in outcome) onPosted(outcome.sent.value as Post)
      else setQueued(true)
    } else {
      if (offline) throw new WordedError(m('offline.photos'))
      onPosted(await api.createPost(entityId, post))
    }
    setTitle('')
    setBody('')
    setPhotos([])
    setAddingPhotos(false)
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
      {offline && (
        <p className="hint offline-hint" data-testid="offline-hint">
          {m('offline.form')}
        </p>
      )}
      {tokens && !addingPhotos && !offline && (
        <button type="button" onClick={() => setAddingPhotos(true)} data-testid="post-add-photo">
          {t('thread.addPhoto')}
        </button>
      )}
      {tokens && addingPhotos && (
        <Suspense fallback={null}>
          <PostPhotoPicker api={api} tokens={tokens} photos={photos} onChange={setPhotos} />
        </Suspense>
      )}
      <button type="submit" disabled={busy} data-testid="post-submit">
        {t('thread.publish')}
      </button>
      <FormMessage message={failure?.text} testId="post-error" />
      <FormMessage message={queued ? { ok: true, text: m('queued.post') } : null} testId="post-queued" />
    </form>
  )
}

function PostItem({
  api,
  entityId,
  post,
  user,
  onChanged,
}: {
  api: ApiClient
  entityId: string
  post: Post
  user: User | null
  onChanged(post: Post): void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const queryClient = useQueryClient()
  const [editing, setEditing] = useState(false)
  const { failure, run } = useAction()
  // What the reader may do with it, as the API says.
  const can = post.can

  // Comments load with their post once it has any (the count is not part of the key: a new comment does not
  // read them all again); new ones arrive from the form or, marked stale by the feed, from a new read.
  const commentsKey = queryKeys.thread.comments(entityId, post.id)
  const commentsQuery = useInfiniteQuery({
    queryKey: commentsKey,
    enabled: post.commentsCount > 0,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => api.comments(post.id, pageParam, signal),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  })
  const comments = itemsOf(commentsQuery.data, mergeComment)
  const commentChanged = (comment: Comment) =>
    queryClient.setQueryData<Paged<Comment>>(commentsKey, (current) =>
      withItem(current, comment, mergeComment),
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
          {post.hidden && <HiddenNotice reason={post.hiddenReason} />}
          <p className="post-body" data-testid="post-text">
            {post.body}
          </p>
          {post.images.length > 0 && (
            <Suspense fallback={null}>
              <PostPhotos api={api} images={post.images} />
            </Suspense>
          )}
          <p className="post-meta">
            {post.author?.displayName ?? t('thread.someone')} · {i18n.dateTime(post.createdAt)}
            {post.updatedAt !== post.createdAt && ` · ${t('thread.edited')}`}
          </p>
          {(can?.edit || can?.delete || can?.report) && (
            <div className="row small">
              {can.edit && (
                <button type="button" className="link" onClick={() => setEditing(true)}>
                  {t('common.edit')}
                </button>
              )}
              {can.delete && (
                <button type="button" className="link danger" onClick={() => void remove()}>
                  {t('thread.remove')}
                </button>
              )}
              {can.report && <ReportButton api={api} targetType="post" targetId={post.id} />}
            </div>
          )}
        </>
      )}
      <FormMessage message={failure?.text} />
      {comments.length > 0 && (
        <ol className="comments" aria-label={t('thread.comments')}>
          {comments.map((comment) => (
            <CommentItem key={comment.id} api={api} comment={comment} onChanged={commentChanged} />
          ))}
        </ol>
      )}
      <PendingInThread entityId={entityId} postId={post.id} />
      {commentsQuery.hasNextPage && (
        <button type="button" className="link" onClick={() => void commentsQuery.fetchNextPage()}>
          {t('thread.moreComments')}
        </button>
      )}
      {user && !post.removed && (
        <CommentForm
          api={api}
          entityId={entityId}
          postId={post.id}
          onCommented={(comment) => {
            commentChanged(comment)
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
  onChanged,
}: {
  api: ApiClient
  comment: Comment
  onChanged(comment: Comment): void
}) {
  const i18n = useI18n()
  const { t } = i18n
  const [editing, setEditing] = useState(false)
  const { failure, run } = useAction()
  const can = comment.can
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
          {comment.hidden && <HiddenNotice reason={comment.hiddenReason} />}
          {(can?.edit || can?.delete || can?.report) && (
            <span className="row small">
              {can.edit && (
                <button type="button" className="link" onClick={() => setEditing(true)}>
                  {t('common.edit')}
                </button>
              )}
              {can.delete && (
                <button type="button" className="link danger" onClick={() => void remove()}>
                  {t('thread.remove')}
                </button>
              )}
              {can.report && <ReportButton api={api} targetType="comment" targetId={comment.id} />}
            </span>
          )}
        </>
      )}
      <FormMessage message={failure?.text} />
    </li>
  )
}

function CommentForm({
  api,
  entityId,
  postId,
  onCommented,
}: {
  api: ApiClient
  entityId: string
  postId: string
  onCommented(comment: Comment): void
}) {
  const { t } = useI18n()
  const { m } = useMessages(outboxMessages)
  const runtime = useOutbox()
  const [body, setBody] = useState('')
  const [queued, setQueued] = useState(false)
  const { busy, failure, onSubmit } = useAction()
  const submit = onSubmit(async () => {
    setQueued(false)
    if (runtime) {
      const outcome = await runtime.submit({
        kind: 'comment',
        path: `/api/posts/${encodeURIComponent(postId)}/comments`,
        body: { body },
        entityId,
        postId,
      })
      if ('sent' in outcome) onCommented(outcome.sent.value as Comment)
      else setQueued(true)
    } else {
      onCommented(await api.createComment(postId, body))
    }
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
      <FormMessage
        message={failure && (failure.fields.body ?? failure.text)}
        variant="field"
        testId="comment-error"
      />
      <FormMessage
        message={queued ? { ok: true, text: m('queued.comment') } : null}
        variant="field"
        testId="comment-queued"
      />
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
      <FormMessage message={failure && (failure.fields.body ?? failure.text)} variant="field" />
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

/** Said to the author (and moderators), who alone are served what a moderator hid: that it is hidden, and why. */
function HiddenNotice({ reason }: { reason: string | undefined }) {
  const { t } = useI18n()
  return (
    <p className="hidden-notice" role="note" data-testid="hidden-notice">
      {reason ? t('hidden.noticeReason', { reason }) : t('hidden.notice')}
    </p>
  )
}
