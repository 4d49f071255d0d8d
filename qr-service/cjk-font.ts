/**
 * Finding a font that has Chinese glyphs for label sheets. PDF's standard fonts have none, so
 * without one a label would print boxes; we would rather refuse with FONT_NOT_FOUND, saying
 * what was searched and how to install one (Debian: `apt-get install fonts-noto-cjk`). The font
 * file is read once and kept: pdfkit/fontkit subset it into each PDF, so sheets stay small.
 */
import * as fs from 'node:fs';
import { ZfcError } from '../chaincode/errors';

/** A font file and, for a collection (.ttc), the PostScript name of the face to use. */
export interface CjkFont {
  readonly path: string;
  readonly face?: string;
  readonly data: Buffer;
}

/** Where Debian packages put CJK fonts, best first. */
export const CJK_FONT_CANDIDATES: ReadonlyArray<{ path: string; face?: string }> = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', face: 'NotoSerifCJKsc-Regular' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', face: 'WenQuanYiZenHei' },
  { path: '/usr/share/fonts/truetype/arphic/uming.ttc', face: 'UMingCN' },
];

const loaded = new Map<string, CjkFont>();

/**
 * The CJK font to print with: `explicitPath` if given (it must exist), else the first of
 * {@link CJK_FONT_CANDIDATES} present. Throws ZfcError FONT_NOT_FOUND otherwise.
 */
export function findCjkFont(explicitPath?: string, face?: string): CjkFont {
  const candidates = explicitPath !== undefined ? [{ path: explicitPath, ...(face === undefined ? {} : { face }) }] : CJK_FONT_CANDIDATES;
  for (const c of candidates) {
    const key = `${c.path}#${c.face ?? ''}`;
    const cached = loaded.get(key);
    if (cached) return cached;
    if (!fs.existsSync(c.path)) continue;
    const font = Object.freeze({ ...c, data: fs.readFileSync(c.path) });
    loaded.set(key, font);
    return font;
  }
  throw new ZfcError('FONT_NOT_FOUND', 'no CJK font found for label sheets; install one (Debian: apt-get install fonts-noto-cjk) or set ZFC_CJK_FONT', {
    searched: candidates.map((c) => c.path),
  });
}
