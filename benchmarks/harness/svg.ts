// The few SVG pieces the charts are made of, written so that librsvg and a
// browser draw them alike: every <text> carries its own font-family and
// font-size (no CSS, no <style>, no dominant-baseline, no textLength), and
// text is laid out with a width estimate, so that no two labels can overlap.

/** DejaVu Sans is what rsvg uses on Debian; Verdana has nearly its metrics; either is wider than Arial, so the estimate errs wide. */
export const FONT_FAMILY = 'DejaVu Sans, Verdana, sans-serif';

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unesc = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

// Advance widths of DejaVu Sans in em, lower case and the narrow or wide
// exceptions; anything else counts as a capital (0.72 em).
const LOWER = 'a.61b.64c.55d.64e.62f.35g.64h.63i.28j.28k.58l.28m.97n.63o.61p.64q.64r.41s.52t.39u.63v.59w.82x.59y.59z.53';
const WIDTH = new Map<string, number>([...LOWER.matchAll(/([a-z])(\.\d+)/g)].map((m) => [m[1], Number(m[2])]));
for (const c of '0123456789') WIDTH.set(c, 0.64);
for (const c of ' .,:;\'!|') WIDTH.set(c, 0.32);
for (const c of '()[]-/') WIDTH.set(c, 0.4);
for (const [c, w] of [['I', 0.3], ['J', 0.3], ['M', 0.86], ['W', 0.99], ['–', 0.5], ['—', 1], ['÷', 0.84], ['×', 0.84], ['⚑', 0.9], ['µ', 0.64]] as const) WIDTH.set(c, w);

/** Estimated width in px of `s` at `size` px; bold is about a tenth wider. */
export function textWidth(s: string, size: number, bold = false): number {
  let em = 0;
  for (const c of s) em += WIDTH.get(c) ?? 0.72;
  return em * size * (bold ? 1.1 : 1);
}

export interface TextStyle {
  size: number;
  anchor?: 'start' | 'middle' | 'end';
  bold?: boolean;
  fill?: string;
}

/** One <text> element, with every attribute that decides its size written on it. */
export function text(x: number, y: number, s: string, st: TextStyle): string {
  const attrs = [
    `x="${x.toFixed(1)}"`,
    `y="${y.toFixed(1)}"`,
    `font-family="${FONT_FAMILY}"`,
    `font-size="${st.size}"`,
    st.anchor && st.anchor !== 'start' ? `text-anchor="${st.anchor}"` : '',
    st.bold ? 'font-weight="bold"' : '',
    st.fill ? `fill="${st.fill}"` : '',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${esc(s)}</text>`;
}

/** Breaks `s` at spaces into lines no wider than `width`. */
export function wrap(s: string, size: number, width: number, bold = false): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size, bold) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** `s` cut with an ellipsis where it would pass `width`. */
export function fit(s: string, size: number, width: number, bold = false): string {
  if (textWidth(s, size, bold) <= width) return s;
  let t = s;
  while (t.length > 1 && textWidth(`${t}…`, size, bold) > width) t = t.slice(0, -1);
  return `${t.trimEnd()}…`;
}

/** Lines of text from `y` down, `lead` px apart; returns the elements and the y below the last line. */
export function lines(x: number, y: number, ls: string[], st: TextStyle, lead = st.size * 1.35): { svg: string[]; y: number } {
  return { svg: ls.map((l, i) => text(x, y + st.size + i * lead, l, st)), y: y + st.size + (ls.length - 1) * lead + st.size * 0.4 };
}

export function svgDocument(width: number, height: number, body: string[]): string {
  const w = Math.ceil(width);
  const h = Math.ceil(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
    `<rect x="0" y="0" width="${w}" height="${h}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

export interface TextBox {
  text: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** The estimated box of every <text> of an SVG this module wrote (ascent 0.8 em above the baseline, descent 0.2 em below). */
export function textBoxes(svg: string): TextBox[] {
  const out: TextBox[] = [];
  for (const m of svg.matchAll(/<text ([^>]*)>([^<]*)<\/text>/g)) {
    const attr = (name: string) => new RegExp(`(?:^| )${name}="([^"]*)"`).exec(m[1])?.[1];
    const x = Number(attr('x'));
    const y = Number(attr('y'));
    const size = Number(attr('font-size'));
    const s = unesc(m[2]);
    const w = textWidth(s, size, attr('font-weight') === 'bold');
    const anchor = attr('text-anchor') ?? 'start';
    const x0 = anchor === 'end' ? x - w : anchor === 'middle' ? x - w / 2 : x;
    out.push({ text: s, x0, x1: x0 + w, y0: y - 0.8 * size, y1: y + 0.2 * size });
  }
  return out;
}

/** Pairs of boxes that overlap by more than `slack` px both ways. */
export function overlapping(boxes: TextBox[], slack = 0.5): Array<[TextBox, TextBox]> {
  const out: Array<[TextBox, TextBox]> = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > slack && Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > slack) out.push([a, b]);
    }
  return out;
}
