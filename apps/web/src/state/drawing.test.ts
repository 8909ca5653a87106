import { describe, expect, it } from 'vitest'
import {
  canFinish,
  type DrawingAction,
  type DrawingState,
  type DrawingStep,
  drawingStep,
  drawKindOf,
  startDrawing,
  toGeometry,
} from './drawing'

function run(state: DrawingState, actions: DrawingAction[]): DrawingStep {
  let step: DrawingStep = { status: 'drawing', state }
  for (const action of actions) {
    if (step.status !== 'drawing') throw new Error(`action ${action.type} after ${step.status}`)
    step = drawingStep(step.state, action)
  }
  return step
}

const add = (lon: number, lat: number): DrawingAction => ({ type: 'add', position: [lon, lat] })

describe('drawing state machine', () => {
  it('a point is done with one click', () => {
    expect(run(startDrawing('Point'), [add(7.68, 45.07)])).toEqual({
      status: 'done',
      geometry: { type: 'Point', coordinates: [7.68, 45.07] },
    })
  })

  it('a polygon closes its ring on finish and needs three distinct vertices', () => {
    const three = run(startDrawing('Polygon'), [add(0, 0), add(1, 0), add(1, 1)])
    if (three.status !== 'drawing') throw new Error('still drawing expected')
    expect(canFinish(three.state)).toBe(true)
    expect(drawingStep(three.state, { type: 'finish' })).toEqual({
      status: 'done',
      geometry: {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 0],
          ],
        ],
      },
    })
    const two = run(startDrawing('Polygon'), [add(0, 0), add(1, 0)])
    if (two.status !== 'drawing') throw new Error('still drawing expected')
    expect(canFinish(two.state)).toBe(false)
    // Finishing too early keeps drawing rather than producing an invalid shape.
    expect(drawingStep(two.state, { type: 'finish' }).status).toBe('drawing')
  })

  it('a double-click adds no second vertex, and clicking the first vertex closes without doubling it', () => {
    const step = run(startDrawing('Polygon'), [add(0, 0), add(1, 0), add(1, 1), add(1, 1), add(0, 0)])
    if (step.status !== 'drawing') throw new Error('still drawing expected')
    expect(step.state.vertices).toHaveLength(4)
    expect(toGeometry(step.state)?.coordinates).toEqual([
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 0],
      ],
    ])
  })

  it('undo removes the last vertex; cancel ends with nothing', () => {
    const step = run(startDrawing('LineString'), [add(0, 0), add(1, 0), { type: 'undo' }])
    if (step.status !== 'drawing') throw new Error('still drawing expected')
    expect(step.state.vertices).toEqual([[0, 0]])
    expect(canFinish(step.state)).toBe(false)
    expect(drawingStep(step.state, { type: 'cancel' })).toEqual({ status: 'cancelled' })
    const empty = drawingStep(startDrawing('LineString'), { type: 'undo' })
    expect(empty.status === 'drawing' && empty.state.vertices).toEqual([])
  })

  it('a line finishes with two vertices', () => {
    expect(run(startDrawing('LineString'), [add(0, 0), add(1, 1), { type: 'finish' }])).toEqual({
      status: 'done',
      geometry: {
        type: 'LineString',
        coordinates: [
          [0, 0],
          [1, 1],
        ],
      },
    })
  })

  it('redraws a thing with the kind of its own geometry', () => {
    expect(drawKindOf('MultiPolygon')).toBe('Polygon')
    expect(drawKindOf('LineString')).toBe('LineString')
    expect(drawKindOf('Point')).toBe('Point')
  })
})
