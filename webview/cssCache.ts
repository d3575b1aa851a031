/**
 * Cached CSS custom-property reads. getComputedStyle().getPropertyValue() inside a frame that has already
 * written to the DOM forces a synchronous style recalculation; playback and scrolling read the same few
 * theme colours every frame, so they are read once and re-read only when the theme can have changed
 * (VS Code swaps the body's class and inline style when the colour theme changes).
 */
const cache = new Map<string, string>();
let watching = false;

function watch(): void {
  if (watching || typeof MutationObserver === 'undefined' || typeof document === 'undefined') return;
  watching = true;
  const clear = () => cache.clear();
  new MutationObserver(clear).observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
  new MutationObserver(clear).observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
}

/** Trimmed value of `name` on document.body, or `fallback` when unset. */
export function cssVar(name: string, fallback: string): string {
  watch();
  let v = cache.get(name);
  if (v === undefined) {
    v = getComputedStyle(document.body).getPropertyValue(name).trim();
    cache.set(name, v);
  }
  return v || fallback;
}

/** Forget cached values (call when the theme is known to have changed). */
export function clearCssCache(): void {
  cache.clear();
}
