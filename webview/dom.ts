/** Tiny DOM helpers (no framework: the webview is small and must stay fast). */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

export function button(label: string, text: string, onClick: () => void, cls = ''): HTMLButtonElement {
  const b = el('button', { type: 'button', 'aria-label': label, title: label, class: cls });
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

const ICONS: Record<string, string> = {
  first: 'M3 3h2v10H3z M13 3v10L6 8z',
  prev: 'M12 3v10L5 8z',
  play: 'M5 3v10l8-5z',
  pause: 'M4 3h3v10H4z M9 3h3v10H9z',
  next: 'M4 3v10l7-5z',
  last: 'M3 3v10l7-5z M11 3h2v10h-2z',
};

/** A 16 px icon drawn with currentColor (webview fonts lack the media-control glyphs). */
export function icon(name: keyof typeof ICONS | string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '14');
  svg.setAttribute('height', '14');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] ?? '');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

/** An icon-only button with an accessible name. */
export function iconButton(label: string, name: string, onClick: () => void, cls = ''): HTMLButtonElement {
  const b = button(label, '', onClick, cls);
  b.append(icon(name));
  return b;
}
