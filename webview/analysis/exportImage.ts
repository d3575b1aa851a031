/** SVG export of a heatmap: the painted pixels as an embedded PNG plus a title, step axis and colour range as text. */

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function heatmapSvg(pngDataUrl: string, width: number, height: number, title: string, start: number, count: number, legend = ''): string {
  const W = Math.round(width);
  const H = Math.round(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 40}" viewBox="0 0 ${W} ${H + 40}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(title)}</title>`,
    `<text x="0" y="12">${escapeXml(title)}</text>`,
    `<image x="0" y="18" width="${W}" height="${H}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${escapeXml(pngDataUrl)}"/>`,
    `<text x="0" y="${H + 34}">${start}</text>`,
    `<text x="${W}" y="${H + 34}" text-anchor="end">${start + count - 1}</text>`,
    ...(legend ? [`<text x="${Math.round(W / 2)}" y="${H + 34}" text-anchor="middle">${escapeXml(legend)}</text>`] : []),
    '</svg>',
  ].join('\n');
}
