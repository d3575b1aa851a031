/**
 * Level-of-detail math for the unrolled chain: which steps are visible, and whether they are drawn as
 * detailed DOM/SVG cells (few, wide) or compact Canvas columns (many, narrow). Pure.
 */

/** At or above this width per step a cell is drawn in detail (token, gates, C and h). */
export const DETAIL_MIN_WIDTH = 28;
/** Never build more detailed cells than this, whatever the viewport (DOM cost grows with it). */
export const MAX_DETAILED_CELLS = 96;

export interface VisibleRange {
  mode: 'detailed' | 'compact' | 'empty';
  /** First visible step (inclusive). */
  first: number;
  /** Last visible step (exclusive). */
  end: number;
}

export function visibleRange(steps: number, stepWidth: number, scrollLeft: number, viewportWidth: number): VisibleRange {
  if (steps <= 0 || stepWidth <= 0) return { mode: 'empty', first: 0, end: 0 };
  const first = Math.max(0, Math.min(steps - 1, Math.floor(Math.max(0, scrollLeft) / stepWidth)));
  const end = Math.max(first + 1, Math.min(steps, Math.ceil((Math.max(0, scrollLeft) + Math.max(1, viewportWidth)) / stepWidth)));
  const mode = stepWidth >= DETAIL_MIN_WIDTH && end - first <= MAX_DETAILED_CELLS ? 'detailed' : 'compact';
  return { mode, first, end };
}

/**
 * Scroll position that keeps `step` in view with a margin, or the unchanged position if it already is.
 * Used when stepping/playing moves the current step out of sight. `page`: a step past the right edge goes
 * to the left margin instead (playback then scrolls once per screen, not at every step).
 */
export function scrollToShow(step: number, stepWidth: number, scrollLeft: number, viewportWidth: number, page = false): number {
  const x0 = step * stepWidth;
  const x1 = x0 + stepWidth;
  const margin = Math.min(viewportWidth / 4, stepWidth * 2);
  if (x0 < scrollLeft + margin) return Math.max(0, x0 - margin);
  if (x1 > scrollLeft + viewportWidth - margin) return Math.max(0, page && x1 - x0 < viewportWidth / 2 ? x0 - margin : x1 - viewportWidth + margin);
  return scrollLeft;
}

/**
 * Zoom around an anchor point: the step under the pointer (or the current step) stays where it is on screen.
 * Returns the new scrollLeft.
 */
export function zoomScroll(anchorX: number, scrollLeft: number, oldWidth: number, newWidth: number): number {
  const stepAtAnchor = (scrollLeft + anchorX) / oldWidth;
  return Math.max(0, stepAtAnchor * newWidth - anchorX);
}
