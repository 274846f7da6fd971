/**
 * Where a tooltip goes so that it stays on screen (WCAG 1.4.10 reflow: at 200 % zoom the
 * viewport is small, and a badge near its bottom has no room below). The tooltip is placed
 * below its anchor, left edges aligned; above when it does not fit below and there is more
 * room above; then shifted, sideways and if need be vertically, to stay inside the viewport.
 */

export interface Box {
  top: number
  bottom: number
  left: number
}

export interface Size {
  width: number
  height: number
}

export interface TooltipPlacement {
  side: 'below' | 'above'
  /** Shift from the side's natural position, in px. */
  dx: number
  dy: number
}

/** Distance kept from the viewport's edges. */
export const VIEWPORT_MARGIN = 8

function shiftInto(start: number, size: number, limit: number): number {
  const overflow = start + size - (limit - VIEWPORT_MARGIN)
  let shift = overflow > 0 ? -overflow : 0
  // Larger than the viewport: its start stays visible (its end is what overflows).
  if (start + shift < VIEWPORT_MARGIN) shift = VIEWPORT_MARGIN - start
  return shift
}

export function placeTooltip(anchor: Box, tooltip: Size, viewport: Size): TooltipPlacement {
  const roomBelow = viewport.height - VIEWPORT_MARGIN - anchor.bottom
  const roomAbove = anchor.top - VIEWPORT_MARGIN
  const side = tooltip.height <= roomBelow || roomBelow >= roomAbove ? 'below' : 'above'
  const top = side === 'below' ? anchor.bottom : anchor.top - tooltip.height
  return {
    side,
    dx: shiftInto(anchor.left, tooltip.width, viewport.width),
    dy: shiftInto(top, tooltip.height, viewport.height),
  }
}
