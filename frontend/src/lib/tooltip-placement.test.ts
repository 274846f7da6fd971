import { describe, expect, it } from 'vitest'
import { placeTooltip } from './tooltip-placement'

const viewport = { width: 640, height: 400 }
const tooltip = { width: 300, height: 120 }

describe('placeTooltip keeps the tooltip inside the viewport', () => {
  it('goes below the badge when there is room', () => {
    expect(placeTooltip({ top: 100, bottom: 124, left: 20 }, tooltip, viewport)).toEqual({
      side: 'below',
      dx: 0,
      dy: 0,
    })
  })

  it('flips above a badge near the bottom of the screen', () => {
    expect(placeTooltip({ top: 340, bottom: 364, left: 20 }, tooltip, viewport)).toEqual({
      side: 'above',
      dx: 0,
      dy: 0,
    })
  })

  it('shifts left near the right edge', () => {
    const placed = placeTooltip({ top: 100, bottom: 124, left: 500 }, tooltip, viewport)
    expect(placed.side).toBe('below')
    expect(500 + placed.dx + tooltip.width).toBe(640 - 8)
  })

  it('shifts vertically when it fits on neither side, staying on screen', () => {
    const tall = { width: 300, height: 250 }
    const placed = placeTooltip({ top: 180, bottom: 204, left: 20 }, tall, viewport)
    // 188 px below, 172 above: below, shifted up to end 8 px from the bottom.
    expect(placed.side).toBe('below')
    expect(204 + placed.dy + tall.height).toBe(400 - 8)
    expect(204 + placed.dy).toBeGreaterThanOrEqual(8)
  })

  it('never puts the top of a taller-than-the-screen tooltip above the viewport', () => {
    const huge = { width: 300, height: 600 }
    const placed = placeTooltip({ top: 300, bottom: 324, left: 20 }, huge, viewport)
    expect(placed.side).toBe('above')
    expect(300 - huge.height + placed.dy).toBe(8)
  })
})
