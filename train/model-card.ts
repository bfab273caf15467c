/**
 * The generated part of models/perfsage/MODEL_CARD.md: `npm run evaluate` writes its tables between
 * the markers `<!-- evaluate:begin -->` and `<!-- evaluate:end -->` and leaves the hand-written
 * rest of the card as it is.
 */
import { markdownTable } from 'markdown-table';
import type { Corpus } from './corpus.ts';
import { sourceSplit } from './corpus.ts';

export const CARD_BEGIN = '<!-- evaluate:begin -->';
export const CARD_END = '<!-- evaluate:end -->';

/**
 * `card` with the text between the evaluate markers replaced by `generated` (the markers kept).
 * Without markers, appends a `## Held-out accuracy` section holding them.
 * @throws Error when the markers are out of order or repeated
 */
export function spliceCard(card: string, generated: string): string {
  const b = card.indexOf(CARD_BEGIN);
  const e = card.indexOf(CARD_END);
  const body = `${CARD_BEGIN}\n${generated.trim()}\n${CARD_END}`;
  if (b < 0 && e < 0) return `${card.trimEnd()}\n\n## Held-out accuracy (\`npm run evaluate\`)\n${body}\n`;
  if (b < 0 || e < b || card.indexOf(CARD_BEGIN, b + 1) >= 0 || card.indexOf(CARD_END, e + 1) >= 0) {
    throw new Error(`model card: expected one '${CARD_BEGIN}' followed by one '${CARD_END}'`);
  }
  return card.slice(0, b) + body + card.slice(e + CARD_END.length);
}

/** The corpus as a table: per source its graphs per split, input sizes, heads and label kinds. */
export function corpusTable(corpus: Corpus): string {
  const rows = corpus.sources.map((s) => {
    const byKind = new Map<string, string[]>();
    for (const h of Object.keys(s.labels)) {
      const k = s.kind[h] ?? 'end-to-end';
      byKind.set(k, [...(byKind.get(k) ?? []), h]);
    }
    const heads = [...byKind].map(([k, hs]) => `${k}: ${hs.map((h) => `\`${h}\``).join(', ')}`).join('; ');
    return [
      s.name,
      String(s.split.length),
      `${sourceSplit(s, 'train').length} / ${sourceSplit(s, 'val').length} / ${sourceSplit(s, 'test').length}`,
      s.inputSizes.join(', '),
      heads,
      s.license,
    ];
  });
  return markdownTable([['source', 'graphs', 'train / val / test', 'input', 'heads (label kind)', 'license'], ...rows]);
}
