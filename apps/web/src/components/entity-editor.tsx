import type { EntityCreateBody, EntityFeature, EntityKind, EntityPatchBody } from '@quartiere/contracts'
import {
  groupMembershipPolicies,
  type ProjectStatus,
  pactInitialStatus,
  projectStatuses,
  projectStatusTransitions,
  projectTypes,
  skillCategories,
} from '@quartiere/contracts/enums'
import { useQuery } from '@tanstack/react-query'
import { type FormEvent, useEffect, useRef, useState } from 'react'
import type { ApiClient, Versioned } from '../api/client'
import { ApiProblem } from '../api/problem'
import type { MessageKey } from '../i18n/dictionaries'
import { useI18n } from '../i18n/i18n'
import { useMessages } from '../i18n/screen-messages'
import { entityKindList } from '../map/kinds'
import { outboxMessages } from '../offline/messages'
import { useOutbox } from '../offline/outbox-context'
import { queryKeys } from '../queries/query-keys'
import { defaultZoomLevel, scaleOf, visibilityScales } from '../state/zoom-levels'
import { FormMessage } from './form-message'
import { problemMessage } from './messages'
import { parentPickerMessages } from './parent-picker/messages'
import { type ParentChoice, ParentPicker } from './parent-picker/parent-picker'

type FieldType = 'text' | 'longtext' | 'datetime' | 'integer' | 'decimal' | 'boolean' | 'url' | 'select'
interface FieldSpec {
  key: string
  type: FieldType
  required?: boolean
  options?: readonly string[]
  disabled?: boolean
  hint?: MessageKey
}

const exchangeFields: FieldSpec[] = [
  { key: 'hours', type: 'decimal', required: true },
  { key: 'skillCategory', type: 'select', required: true, options: skillCategories },
  { key: 'availability', type: 'text' },
]

/** The form of each kind's properties, after the closed schemas in packages/contracts. */
export const kindFields: Record<EntityKind, FieldSpec[]> = {
  space: [
    { key: 'address', type: 'text' },
    { key: 'openingHours', type: 'text' },
    { key: 'capacity', type: 'integer' },
    { key: 'accessible', type: 'boolean' },
    { key: 'website', type: 'url' },
    { key: 'network', type: 'text' },
  ],
  group: [
    { key: 'membership', type: 'select', options: groupMembershipPolicies },
    { key: 'legalForm', type: 'text' },
    { key: 'website', type: 'url' },
  ],
  event: [
    { key: 'startsAt', type: 'datetime', required: true },
    { key: 'endsAt', type: 'datetime', required: true },
    { key: 'address', type: 'text' },
    { key: 'organizer', type: 'text' },
    { key: 'registrationUrl', type: 'url' },
    { key: 'free', type: 'boolean' },
  ],
  project: [
    {
      key: 'status',
      type: 'select',
      required: true,
      options: projectStatuses,
    },
    { key: 'projectType', type: 'select', options: projectTypes },
    { key: 'programme', type: 'text' },
    { key: 'budget', type: 'decimal' },
    { key: 'website', type: 'url' },
  ],
  news: [
    { key: 'source', type: 'text' },
    { key: 'url', type: 'url' },
    { key: 'publishedAt', type: 'datetime' },
  ],
  story: [
    { key: 'narrator', type: 'text' },
    { key: 'period', type: 'text' },
  ],
  offer: exchangeFields,
  request: exchangeFields,
}

/** `<input type="datetime-local">` speaks local wall time without a zone; the API speaks RFC 3339. */
export function toLocalInput(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000)
  return local.toISOString().slice(0, 16)
}
export function fromLocalInput(value: string): string {
  return new Date(value).toISOString()
}

type Values = Record<string, string | boolean>

function valuesFrom(feature: EntityFeature | null, kind: EntityKind): Values {
  const values: Values = { title: '', description: '', categories: '', tags: '', validFrom: '', validTo: '' }
  if (!feature) return values
  const p = feature.properties
  values.title = p.title
  values.description = p.description
  values.categories = p.categories.join(', ')
  values.tags = p.tags.join(', ')
  values.validFrom = p.validFrom ? toLocalInput(p.validFrom) : ''
  values.validTo = p.validTo ? toLocalInput(p.validTo) : ''
  for (const field of kindFields[kind]) {
    const value = p.properties[field.key]
    if (value === undefined) continue
    values[`properties.${field.key}`] =
      field.type === 'datetime'
        ? toLocalInput(String(value))
        : typeof value === 'boolean'
          ? value
          : String(value)
  }
  return values
}

const labels = (text: string) => [
  ...new Set(
    String(text)
      .split(',')
      .map((value) => value.trim())
      .filter(Boolean),
  ),
]

/** The kind's properties from the form; empty optional fields are left out rather than sent empty. */
function propertiesFrom(kind: EntityKind, values: Values): Record<string, unknown> {
  const properties: Record<string, unknown> = {}
  for (const field of kindFields[kind]) {
    const raw = values[`properties.${field.key}`]
    if (field.type === 'boolean') {
      if (raw !== undefined && raw !== '') properties[field.key] = raw === true
      continue
    }
    const text = typeof raw === 'string' ? raw.trim() : ''
    if (!text) continue
    switch (field.type) {
      case 'datetime':
        properties[field.key] = fromLocalInput(text)
        break
      case 'integer':
        properties[field.key] = Number(text)
        break
      default:
        properties[field.key] = text
    }
  }
  return properties
}

/**
 * A project's status and type as the API's lifecycle allows them (the table is the contract's, not a copy): a
 * new pact is a proposal; a pact's status changes on its own page, through its transitions, so here it is
 * read-only; a plain project offers its status and the next steps; a pact stays a pact and a project a project.
 */
export function projectFieldSpec(
  spec: FieldSpec,
  target: EntityEditorProps['target'],
  values: Values,
): FieldSpec {
  const stored = target.mode === 'edit' ? target.entity.value.properties.properties : undefined
  const storedPact = stored?.projectType === 'pact'
  if (spec.key === 'status') {
    if (!stored && values['properties.projectType'] === 'pact')
      return { ...spec, options: [pactInitialStatus], disabled: true, hint: 'editor.pactStartsAsProposal' }
    if (!stored) return spec
    const status = stored.status as ProjectStatus
    if (storedPact) return { ...spec, options: [status], disabled: true, hint: 'editor.pactStatusOnItsPage' }
    return { ...spec, options: [status, ...(projectStatusTransitions[status] ?? [])] }
  }
  if (spec.key === 'projectType' && stored) {
    return storedPact
      ? { ...spec, options: ['pact'], disabled: true }
      : { ...spec, options: projectTypes.filter((type) => type !== 'pact') }
  }
  return spec
}

export interface EntityEditorProps {
  api: ApiClient
  /** The signed-in member: only a thing's author may mark its location private or public again. */
  userId: string
  /** Creating: the drawn geometry. Editing: the thing and the version it was read at. */
  target:
    | { mode: 'create'; geometry: EntityCreateBody['geometry']; kind: EntityKind }
    | {
        mode: 'edit'
        entity: Versioned<EntityFeature>
        /** A new shape drawn on the map for it: sent with the other changes. */
        geometry?: EntityCreateBody['geometry']
      }
  onSaved(entity: Versioned<EntityFeature>): void
  /** A new thing or a change kept in the device's queue (offline): sent when the connection returns. */
  onQueued?(mode: 'create' | 'edit'): void
  onCancel(): void
}

export function EntityEditor({ api, userId, target, onSaved, onQueued, onCancel }: EntityEditorProps) {
  const outbox = useOutbox()
  const i18n = useI18n()
  const { t } = i18n
  const initialKind = target.mode === 'create' ? target.kind : target.entity.value.properties.kind
  const [kind, setKind] = useState<EntityKind>(initialKind)
  const [version, setVersion] = useState(target.mode === 'edit' ? target.entity.version : 0)
  const [values, setValues] = useState<Values>(() =>
    valuesFrom(target.mode === 'edit' ? target.entity.value : null, initialKind),
  )
  const [locationPrivate, setLocationPrivate] = useState(
    target.mode === 'edit' && target.entity.value.properties.locationPrivate,
  )
  // The API refuses the change (403) from anyone but the author, moderators and group managers included.
  const mayChangePrivacy = target.mode === 'create' || target.entity.value.properties.author.id === userId
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({})
  const [formError, setFormError] = useState<string | null>(null)
  const [conflict, setConflict] = useState<Versioned<EntityFeature> | null>(null)
  const [saving, setSaving] = useState(false)
  const { m } = useMessages(parentPickerMessages)
  const offlineMessages = useMessages(outboxMessages)
  // The scale it shows from: the kind's default (the API's own, from the contract) until the person picks one.
  const storedZoomLevel = target.mode === 'edit' ? target.entity.value.properties.zoomLevel : null
  const [zoomLevel, setZoomLevel] = useState(storedZoomLevel ?? defaultZoomLevel(initialKind))
  const [zoomChosen, setZoomChosen] = useState(target.mode === 'edit')
  const zoomOptions = [...new Set([...visibilityScales.map((entry) => entry.zoom), zoomLevel])].sort(
    (a, b) => a - b,
  )
  // The thing it is inside of: the stored one's title is read to show it; a new choice brings its own.
  const storedParentId = target.mode === 'edit' ? target.entity.value.properties.parentId : null
  const [parentId, setParentId] = useState<string | null>(storedParentId)
  const [parentChoice, setParentChoice] = useState<ParentChoice | null>(null)
  const storedParent = useQuery({
    queryKey: queryKeys.entity.detail(storedParentId ?? 'none'),
    queryFn: () => api.getEntity(storedParentId as string),
    enabled: !!storedParentId,
  })
  const parentValue: ParentChoice | null =
    parentChoice ??
    (parentId && parentId === storedParentId
      ? {
          id: parentId,
          title: storedParent.data?.value.properties.title ?? '…',
          kind: storedParent.data?.value.properties.kind ?? 'space',
        }
      : null)
  const geometry =
    target.mode === 'create' ? target.geometry : (target.geometry ?? target.entity.value.geometry)
  // A keyboard user lands on the form's title when it opens (the control that opened it is gone).
  const titleRef = useRef<HTMLHeadingElement>(null)
  useEffect(() => titleRef.current?.focus(), [])

  const set = (key: string, value: string | boolean) =>
    setValues((current) => ({
      ...current,
      [key]: value,
      // A new pact is a proposal, whatever status was picked before it became a pact.
      ...(key === 'properties.projectType' && value === 'pact' && target.mode === 'create'
        ? { 'properties.status': pactInitialStatus }
        : {}),
    }))

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setSaving(true)
    setFieldErrors({})
    setFormError(null)
    const common = {
      title: String(values.title ?? '').trim(),
      description: String(values.description ?? ''),
      categories: labels(String(values.categories ?? '')),
      tags: labels(String(values.tags ?? '')),
      validFrom: values.validFrom ? fromLocalInput(String(values.validFrom)) : null,
      validTo: values.validTo ? fromLocalInput(String(values.validTo)) : null,
      properties: propertiesFrom(kind, values),
    }
    try {
      if (target.mode === 'create') {
        const body: EntityCreateBody = {
          kind,
          geometry: target.geometry,
          ...common,
          locationPrivate,
          zoomLevel,
          ...(parentId ? { parentId } : {}),
        }
        // Events take their validity from startsAt/endsAt; an empty window is left for the API to fill.
        if (!body.validFrom) delete body.validFrom
        if (!body.validTo) delete body.validTo
        if (outbox) {
          const outcome = await outbox.submit({
            kind: 'entity',
            path: '/api/entities',
            body: body as unknown as Record<string, unknown>,
            entityId: null,
            postId: null,
          })
          if ('queued' in outcome) onQueued?.('create')
          else onSaved(outcome.sent as Versioned<EntityFeature>)
        } else {
          onSaved(await api.createEntity(body))
        }
      } else {
        const body: EntityPatchBody = target.geometry
          ? { ...common, geometry: target.geometry }
          : { ...common }
        // Sent only when changed, so that someone else who may edit the thing never touches it.
        if (locationPrivate !== target.entity.value.properties.locationPrivate)
          body.locationPrivate = locationPrivate
        if (zoomLevel !== storedZoomLevel) body.zoomLevel = zoomLevel
        if (parentId !== storedParentId) body.parentId = parentId
        if (outbox) {
          // Offline, the change waits with the version it was made on; a 412 then is a conflict to resolve.
          const outcome = await outbox.submit({
            kind: 'entity-edit',
            path: `/api/entities/${encodeURIComponent(target.entity.value.id)}`,
            method: 'PATCH',
            ifMatch: version,
            body: body as unknown as Record<string, unknown>,
            entityId: target.entity.value.id,
            postId: null,
          })
          if ('queued' in outcome) onQueued?.('edit')
          else onSaved(outcome.sent as Versioned<EntityFeature>)
        } else {
          onSaved(await api.updateEntity(target.entity.value.id, version, body))
        }
      }
    } catch (failure) {
      if (!(failure instanceof ApiProblem)) {
        setFormError(String(failure))
      } else if (failure.status === 412 && target.mode === 'edit') {
        setConflict(await api.getEntity(target.entity.value.id).catch(() => null))
        setFormError(problemMessage(i18n, failure))
      } else {
        setFieldErrors(failure.fieldErrors())
        setFormError(problemMessage(i18n, failure))
      }
    } finally {
      setSaving(false)
    }
  }

  const field = (key: string, labelKey: MessageKey, spec: Omit<FieldSpec, 'key'>) => {
    const id = `field-${key.replace('.', '-')}`
    const error = fieldErrors[key]
    const describedBy = error ? `${id}-error` : undefined
    const value = values[key]
    let input: React.ReactNode
    switch (spec.type) {
      case 'longtext':
        input = (
          <textarea
            id={id}
            value={String(value ?? '')}
            rows={4}
            aria-invalid={!!error}
            aria-describedby={describedBy}
            onChange={(event) => set(key, event.target.value)}
          />
        )
        break
      case 'boolean':
        input = (
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            aria-invalid={!!error}
            aria-describedby={describedBy}
            onChange={(event) => set(key, event.target.checked)}
          />
        )
        break
      case 'select':
        input = (
          <select
            id={id}
            value={String(value ?? '')}
            aria-invalid={!!error}
            aria-describedby={describedBy}
            disabled={spec.disabled}
            onChange={(event) => set(key, event.target.value)}
          >
            <option value="">—</option>
            {spec.options?.map((option) => (
              <option key={option} value={option}>
                {t(`value.${option}` as MessageKey)}
              </option>
            ))}
          </select>
        )
        break
      default:
        input = (
          <input
            id={id}
            type={spec.type === 'datetime' ? 'datetime-local' : spec.type === 'url' ? 'url' : 'text'}
            inputMode={spec.type === 'decimal' || spec.type === 'integer' ? 'decimal' : undefined}
            value={String(value ?? '')}
            aria-invalid={!!error}
            aria-describedby={describedBy}
            onChange={(event) => set(key, event.target.value)}
          />
        )
    }
    return (
      <div className={error ? 'field invalid' : 'field'} key={key}>
        <label htmlFor={id}>
          {t(labelKey)}
          {spec.required ? ' *' : ''}
        </label>
        {input}
        {spec.hint && <p className="hint">{t(spec.hint)}</p>}
        {error && (
          <p className="field-error" id={`${id}-error`}>
            {error}
          </p>
        )}
      </div>
    )
  }

  return (
    <form className="editor" onSubmit={submit} noValidate aria-labelledby="editor-title" data-testid="editor">
      <h2 id="editor-title" tabIndex={-1} ref={titleRef}>
        {target.mode === 'create' ? t('editor.createTitle') : t('editor.editTitle')}
      </h2>
      {target.mode === 'create' && (
        <div className="field">
          <label htmlFor="field-kind">{t('field.kind')}</label>
          <select
            id="field-kind"
            value={kind}
            onChange={(event) => {
              const next = event.target.value as EntityKind
              setKind(next)
              if (!zoomChosen) setZoomLevel(defaultZoomLevel(next))
            }}
          >
            {entityKindList.map((option) => (
              <option key={option} value={option}>
                {t(`kind.${option}`)}
              </option>
            ))}
          </select>
        </div>
      )}
      {target.mode === 'edit' && target.geometry && (
        <p className="hint" data-testid="editor-new-shape">
          {t('editor.newShape')}
        </p>
      )}
      {field('title', 'field.title', { type: 'text', required: true })}
      {field('description', 'field.description', { type: 'longtext' })}
      {kindFields[kind].map((spec) =>
        field(
          `properties.${spec.key}`,
          `prop.${spec.key}` as MessageKey,
          kind === 'project' ? projectFieldSpec(spec, target, values) : spec,
        ),
      )}
      {kind !== 'event' && (
        <>
          {field('validFrom', 'field.validFrom', { type: 'datetime' })}
          {field('validTo', 'field.validTo', { type: 'datetime' })}
        </>
      )}
      {field('categories', 'field.categories', { type: 'text' })}
      {field('tags', 'field.tags', { type: 'text' })}
      <ParentPicker
        api={api}
        geometry={geometry}
        excludeId={target.mode === 'edit' ? target.entity.value.id : null}
        value={parentValue}
        onChange={(next) => {
          setParentChoice(next)
          setParentId(next?.id ?? null)
        }}
        error={fieldErrors.parentId ?? null}
      />
      <div className={fieldErrors.zoomLevel ? 'field invalid' : 'field'}>
        <label htmlFor="field-zoomLevel">{m('zoomLabel')}</label>
        <select
          id="field-zoomLevel"
          value={zoomLevel}
          aria-describedby="field-zoomLevel-hint"
          onChange={(event) => {
            setZoomLevel(Number(event.target.value))
            setZoomChosen(true)
          }}
          data-testid="zoom-level"
        >
          {zoomOptions.map((zoom) => {
            const scale = scaleOf(zoom)
            return (
              <option key={zoom} value={zoom}>
                {scale ? m(`scale.${scale}`) : m('scale.other', { zoom })}
              </option>
            )
          })}
        </select>
        <p className="hint" id="field-zoomLevel-hint">
          {m('zoomHint')}
        </p>
        {fieldErrors.zoomLevel && <p className="field-error">{fieldErrors.zoomLevel}</p>}
      </div>
      <div className={fieldErrors.locationPrivate ? 'field invalid' : 'field'}>
        <label htmlFor="field-locationPrivate" className="checkbox">
          <input
            id="field-locationPrivate"
            type="checkbox"
            checked={locationPrivate}
            disabled={!mayChangePrivacy}
            aria-describedby="field-locationPrivate-hint"
            onChange={(event) => setLocationPrivate(event.target.checked)}
            data-testid="location-private"
          />
          {t('editor.locationPrivate')}
        </label>
        <p className="hint" id="field-locationPrivate-hint">
          {t('editor.locationPrivateHint')}
          {!mayChangePrivacy && ` ${t('editor.locationPrivateAuthorOnly')}`}
        </p>
        {fieldErrors.locationPrivate && <p className="field-error">{fieldErrors.locationPrivate}</p>}
      </div>
      {fieldErrors.geometry && <p className="field-error">{fieldErrors.geometry}</p>}
      <FormMessage message={formError} testId="editor-error" />
      {conflict && (
        <div className="conflict" role="alert" data-testid="conflict">
          <p>
            {t('editor.conflict', {
              name: conflict.value.properties.author.displayName,
              time: i18n.dateTime(conflict.value.properties.updatedAt),
            })}
          </p>
          <div className="row">
            <button
              type="button"
              onClick={() => {
                setValues(valuesFrom(conflict.value, kind))
                setLocationPrivate(conflict.value.properties.locationPrivate)
                setVersion(conflict.version)
                setConflict(null)
                setFormError(null)
              }}
            >
              {t('editor.loadTheirs')}
            </button>
            <button
              type="button"
              onClick={() => {
                setVersion(conflict.version)
                setConflict(null)
                setFormError(null)
              }}
            >
              {t('editor.keepMine')}
            </button>
          </div>
        </div>
      )}
      {outbox && !outbox.online && (
        <p className="hint offline-hint" data-testid="offline-hint">
          {offlineMessages.m(target.mode === 'create' ? 'offline.form' : 'offline.editing')}
        </p>
      )}
      <div className="row">
        <button type="submit" disabled={saving} data-testid="editor-save">
          {saving ? t('common.saving') : t('common.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  )
}
