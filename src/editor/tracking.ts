/**
 * Keeps a visualized range attached to its text while the person edits. Pure (no `vscode`): the glue
 * feeds it each content change as (offset, removed length, inserted length).
 * - Edits above the range move it (one running delta, so a keystroke costs O(1) even for a million steps).
 * - Edits below it change nothing.
 * - Edits touching it make the run stale: the hover says so and offers a re-run instead of showing
 *   numbers for text that no longer exists. The range's end still follows, so a re-run reads the
 *   edited range.
 */
export class RangeTracker {
  private startShift = 0;
  private endShift = 0;
  private staleFlag = false;

  /** `start`/`end`: document offsets of the visualized range when it was run. */
  constructor(
    private readonly start: number,
    private readonly end: number,
  ) {}

  get stale(): boolean {
    return this.staleFlag;
  }

  /** Current document offset of the range start / end. */
  get currentStart(): number {
    return this.start + this.startShift;
  }
  get currentEnd(): number {
    return Math.max(this.currentStart, this.end + this.endShift);
  }

  /** How far the range moved: add to an offset recorded at run time to get today's offset. */
  get shift(): number {
    return this.startShift;
  }

  applyChange(offset: number, removed: number, inserted: number): void {
    const s = this.currentStart;
    const e = this.currentEnd;
    const d = inserted - removed;
    if (offset + removed <= s) {
      // Entirely above (an insertion exactly at the start also pushes the range down).
      this.startShift += d;
      this.endShift += d;
    } else if (offset >= e) {
      // Entirely below: nothing moves.
    } else {
      this.staleFlag = true;
      if (offset >= s) this.endShift += offset + removed <= e ? d : offset - e;
      else {
        // Crossing the start: the range now begins where the edit's new text ends.
        this.endShift += d;
        this.startShift = offset + inserted - this.start;
      }
    }
  }
}
