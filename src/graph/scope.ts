/**
 * The mutable state of one run of the shape/fold pass (see ./shapes.ts): tensor infos, aliases
 * (tensors replaced by others: removed Identity, `Add(x, 0)`, inlined If outputs), executed
 * nodes with their MACs, warnings. A child scope layers over its parent so an `If` branch can
 * be analysed on trial and then either committed or dropped.
 */
import type { Node, TensorInfo } from './ir.ts';

/** Pass state; lookups fall through to the parent scope. */
export class Scope {
  readonly tensors = new Map<string, TensorInfo>();
  readonly alias = new Map<string, string>();
  /** Executed nodes in topological order, with their MACs (× repeat) aligned. */
  readonly executed: Node[] = [];
  readonly macs: number[] = [];
  readonly warnings: string[] = [];
  /** Ids of constants computed by folding (as opposed to stored in the file). */
  readonly folded = new Set<string>();
  /** Ids of constants that stand for activations (all-zero results of `Mul(x, 0)` and after). */
  readonly fromActivation = new Set<string>();

  constructor(readonly parent?: Scope) {}

  /** Tensor info by global id. */
  get(id: string): TensorInfo | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const t = s.tensors.get(id);
      if (t) return t;
    }
    return undefined;
  }

  set(t: TensorInfo): void {
    this.tensors.set(t.id, t);
  }

  /** Follows aliases to the tensor that actually holds the value. */
  resolve(id: string): string {
    let cur = id;
    for (let guard = 0; guard < 1000; guard++) {
      let next: string | undefined;
      for (let s: Scope | undefined = this; s && next === undefined; s = s.parent) next = s.alias.get(cur);
      if (next === undefined || next === cur) return cur;
      cur = next;
    }
    return cur;
  }

  isFolded(id: string): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.folded.has(id)) return true;
    return false;
  }

  isFromActivation(id: string): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.fromActivation.has(id)) return true;
    return false;
  }

  /** Total MACs of the nodes executed in this scope (not the parent's). */
  totalMacs(): number {
    let m = 0;
    for (const v of this.macs) m += v;
    return m;
  }

  /** Moves everything recorded here into the parent scope. */
  commit(): void {
    const p = this.parent;
    if (!p) return;
    for (const [k, v] of this.tensors) p.tensors.set(k, v);
    for (const [k, v] of this.alias) p.alias.set(k, v);
    p.executed.push(...this.executed);
    p.macs.push(...this.macs);
    p.warnings.push(...this.warnings);
    for (const id of this.folded) p.folded.add(id);
    for (const id of this.fromActivation) p.fromActivation.add(id);
  }
}
