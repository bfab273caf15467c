import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARD_BEGIN, CARD_END, spliceCard } from '../../train/model-card.ts';
import { REPO_ROOT } from '../../train/graph-store.ts';

describe('spliceCard (generated part of MODEL_CARD.md)', () => {
  it('replaces only the text between the markers', () => {
    const card = `# Card\n\nhand-written\n\n${CARD_BEGIN}\nold table\n${CARD_END}\n\n## After\nkept\n`;
    const out = spliceCard(card, '| a |\n| - |\n| 1 |');
    expect(out).toBe(`# Card\n\nhand-written\n\n${CARD_BEGIN}\n| a |\n| - |\n| 1 |\n${CARD_END}\n\n## After\nkept\n`);
    // Idempotent on the same content.
    expect(spliceCard(out, '| a |\n| - |\n| 1 |')).toBe(out);
  });

  it('appends a section with the markers when the card has none', () => {
    const out = spliceCard('# Card\n', 'x');
    expect(out).toBe(`# Card\n\n## Held-out accuracy (\`npm run evaluate\`)\n${CARD_BEGIN}\nx\n${CARD_END}\n`);
  });

  it('rejects markers out of order or repeated', () => {
    expect(() => spliceCard(`${CARD_END}\n${CARD_BEGIN}`, 'x')).toThrow(/expected one/);
    expect(() => spliceCard(`${CARD_BEGIN}\n${CARD_END}\n${CARD_BEGIN}\n${CARD_END}`, 'x')).toThrow(/expected one/);
    expect(() => spliceCard(`${CARD_BEGIN} only`, 'x')).toThrow(/expected one/);
  });

  it('the shipped model card has exactly one pair of markers', () => {
    const card = readFileSync(join(REPO_ROOT, 'models/perfsage/MODEL_CARD.md'), 'utf8');
    expect(card.split(CARD_BEGIN)).toHaveLength(2);
    expect(card.split(CARD_END)).toHaveLength(2);
    expect(card.indexOf(CARD_BEGIN)).toBeLessThan(card.indexOf(CARD_END));
  });
});
