/**
 * NAS-Bench-201 architecture strings: parsing and validation.
 *
 * Source: ../shared/specs/search-spaces.md section 1.3 (paraphrasing NB201's `genotypes.py`):
 * `|a~0|+|b~0|c~1|+|d~0|e~1|f~2|` = three `+`-separated groups, one per computed node (1, 2, 3);
 * group k holds k tokens `op~i`, an edge from node i into node k, with i = 0..k-1 in order.
 */
import { ConfigError } from '../core/errors.ts';

/** The five NB201 cell operations (spec section 1.4). */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;

/** One NB201 cell operation name. */
export type Nb201Op = (typeof NB201_OPS)[number];

/** One cell edge: operation `op` from node `from` into node `to` (spec 1.3, slots L0..L5). */
export interface Nb201Edge {
  op: Nb201Op;
  from: number;
  to: number;
}

/** Canonical edge order of an NB201 cell: [to, from] for slots L0..L5 (spec 1.3 table). */
export const NB201_SLOTS: ReadonlyArray<readonly [number, number]> = [
  [1, 0],
  [2, 0],
  [2, 1],
  [3, 0],
  [3, 1],
  [3, 2],
];

/**
 * Parses and validates an NB201 arch string.
 * @returns the 6 edges in slot order L0..L5
 * @throws ConfigError naming the bad token (unknown op, wrong source node, wrong token count)
 */
export function parseNb201Arch(archStr: string): Nb201Edge[] {
  const where = `nb201 arch '${archStr}'`;
  const groups = archStr.trim().split('+');
  if (groups.length !== 3) {
    throw new ConfigError(
      where,
      `expected 3 '+'-separated groups (nodes 1, 2, 3), got ${groups.length}; ` +
        `form: |op~0|+|op~0|op~1|+|op~0|op~1|op~2| with op in ${NB201_OPS.join(', ')}`,
    );
  }
  const edges: Nb201Edge[] = [];
  groups.forEach((group, g) => {
    const to = g + 1;
    const tokens = group.split('|').filter((t) => t.length > 0);
    if (tokens.length !== to) {
      throw new ConfigError(where, `group ${to} ('${group}') must hold ${to} token(s) op~0..op~${to - 1}, got ${tokens.length}`);
    }
    tokens.forEach((token, i) => {
      const m = /^([a-z0-9_]+)~(\d+)$/.exec(token);
      if (!m) throw new ConfigError(where, `bad token '${token}' in group ${to}: expected op~i`);
      const op = m[1] as string;
      const from = Number(m[2]);
      if (!(NB201_OPS as readonly string[]).includes(op)) {
        throw new ConfigError(where, `unknown op '${op}' in token '${token}'; known ops: ${NB201_OPS.join(', ')}`);
      }
      if (from !== i) {
        throw new ConfigError(where, `token '${token}' in group ${to} must come from node ${i}, not ${from}`);
      }
      edges.push({ op: op as Nb201Op, from, to });
    });
  });
  return edges;
}

/** Formats 6 ops in slot order L0..L5 as a canonical NB201 arch string. */
export function formatNb201Arch(ops: readonly Nb201Op[]): string {
  if (ops.length !== 6) throw new ConfigError('nb201 ops', `expected 6 ops, got ${ops.length}`);
  const t = (k: number): string => `${ops[k]}~${(NB201_SLOTS[k] as readonly [number, number])[1]}`;
  return `|${t(0)}|+|${t(1)}|${t(2)}|+|${t(3)}|${t(4)}|${t(5)}|`;
}
