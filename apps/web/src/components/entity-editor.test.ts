import type { EntityFeature } from '@quartiere/contracts'
import { describe, expect, it } from 'vitest'
import type { Versioned } from '../api/client'
import { type EntityEditorProps, kindFields, projectFieldSpec } from './entity-editor'

// The editor offers a project only the statuses and types the API's lifecycle accepts.

const statusSpec = kindFields.project.find((spec) => spec.key === 'status')!
const typeSpec = kindFields.project.find((spec) => spec.key === 'projectType')!
const creating: EntityEditorProps['target'] = {
  mode: 'create',
  kind: 'project',
  geometry: { type: 'Point', coordinates: [7.68, 45.07] },
}

function editing(properties: Record<string, unknown>): EntityEditorProps['target'] {
  const entity = { value: { properties: { properties } }, version: 3 } as unknown as Versioned<EntityFeature>
  return { mode: 'edit', entity }
}

describe('the project fields of the editor', () => {
  it('start a new pact as a proposal, with no other status to pick', () => {
    const spec = projectFieldSpec(statusSpec, creating, { 'properties.projectType': 'pact' })
    expect(spec).toMatchObject({ options: ['proposal'], disabled: true })
  })

  it('let a new plain project start in any status', () => {
    const spec = projectFieldSpec(statusSpec, creating, { 'properties.projectType': 'programme' })
    expect(spec.options).toEqual(['proposal', 'co-design', 'signed', 'active', 'concluded', 'rejected'])
    expect(spec.disabled).toBeFalsy()
  })

  it("show a pact's status read-only and keep it a pact: its steps are taken on its page", () => {
    const pact = editing({ projectType: 'pact', status: 'co-design' })
    expect(projectFieldSpec(statusSpec, pact, {})).toMatchObject({ options: ['co-design'], disabled: true })
    expect(projectFieldSpec(typeSpec, pact, {})).toMatchObject({ options: ['pact'], disabled: true })
  })

  it('offer a plain project its status and the next steps only, and never make it a pact', () => {
    const programme = editing({ projectType: 'programme', status: 'co-design' })
    expect(projectFieldSpec(statusSpec, programme, {}).options).toEqual(['co-design', 'signed', 'rejected'])
    expect(projectFieldSpec(statusSpec, editing({ status: 'concluded' }), {}).options).toEqual(['concluded'])
    expect(projectFieldSpec(typeSpec, programme, {}).options).not.toContain('pact')
  })
})
