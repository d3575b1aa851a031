/**
 * Keeps a visualized range attached to its text while the person edits. Pure (no `vscode`): the glue
 * feeds it each content change as (offset, removed length, inserted length).
 * - Edits above the range move it (one running delta, so a keystroke costs O(1) even for a million steps).
 * - Edits below it change nothing.
 * - Edits touching it make the run stale: the hover says so and offers a re-run instead of showing
 *   numbers for text that no longer exists.
 */
export class RangeTracker {
  private delta = 0;
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
    return this.start + this.delta;
  }
  get currentEnd(): number {
    return this.end + this.delta;
  }

  /** How far the range moved: add to an offset recorded at run time to get today's offset. */
  get shift(): number {
    return this.delta;
  }

  applyChange(offset: number, removed: number, inserted: number): void {
    const s = this.currentStart;
    const e = this.currentEnd;
    if (offset + removed <= s) {
      // Entirely above (an insertion exactly at the start also pushes the range down).
      this.delta += inserted - removed;
    } else if (offset >= e) {
      // Entirely below: nothing moves.
    } else {
      this.staleFlag = true;
    }
  }

  markStale(): void {
    this.staleFlag = true;
  }
}
