/**
 * Mini-batches for the GNN: several graphs flattened into one node matrix [ΣN_i, F] with block
 * diagonal aggregation matrices, so every layer is a 2-D matMul (see sparse.ts for why).
 */
import { FEATURE_NAMES, type GraphFeatures } from '../cost/features.ts';
import { meanAggregationCsr, type Csr } from './sparse.ts';

const COL_MACS = FEATURE_NAMES.indexOf('log1p_macs');
const COL_BYTES = ['log1p_input_bytes', 'log1p_output_bytes', 'log1p_weight_bytes'].map((n) => FEATURE_NAMES.indexOf(n));

/** The part of `GraphFeatures` the GNN reads (also what the training cache stores). */
export interface GnnGraph {
  /** Number of GNN nodes n. */
  n: number;
  /** Row-major unnormalised features [n, F]. */
  x: Float32Array;
  /** Directed data edges producer → consumer ([E] each, local indices). */
  edgeSrc: Int32Array;
  edgeDst: Int32Array;
}

/** The GNN input of a graph's features (rows and data edges). */
export function toGnnGraph(f: GraphFeatures): GnnGraph {
  return { n: f.nodeIndex.length, x: f.x, edgeSrc: f.edgeSrc, edgeDst: f.edgeDst };
}

/** Several graphs as one disjoint union. */
export interface GraphBatch {
  /** Number of graphs B. */
  numGraphs: number;
  /** Total node count N = Σ n_i. */
  numNodes: number;
  /** Normalised features [N, F], row-major. */
  x: Float32Array;
  /** Mean over in-neighbours (producers): A_in [N, N]. */
  aggIn: Csr;
  /** Mean over out-neighbours (consumers): A_out [N, N]. */
  aggOut: Csr;
  /** Graph membership as a 0/1 matrix S [B, N] (readout: per-graph sums = S·c). */
  readout: Csr;
  /** First node row of each graph ([B + 1]). */
  offsets: Int32Array;
  /** Work of each node, row-major [N, 2]: millions of MACs, and megabytes read + written. */
  work: Float32Array;
}

/**
 * Builds a batch; features are normalised as (x − mean) / std per column.
 * @param mean per-column means [F]
 * @param std per-column standard deviations [F] (zeros are treated as 1)
 */
export function makeBatch(graphs: readonly GnnGraph[], mean: ArrayLike<number>, std: ArrayLike<number>): GraphBatch {
  const F = mean.length;
  const offsets = new Int32Array(graphs.length + 1);
  let E = 0;
  graphs.forEach((g, b) => {
    offsets[b + 1] = (offsets[b] as number) + g.n;
    E += g.edgeSrc.length;
  });
  const N = offsets[graphs.length] as number;
  const x = new Float32Array(N * F);
  const work = new Float32Array(N * 2);
  const src = new Int32Array(E);
  const dst = new Int32Array(E);
  const inv = Array.from({ length: F }, (_, k) => 1 / ((std[k] as number) > 0 ? (std[k] as number) : 1));
  let e = 0;
  graphs.forEach((g, b) => {
    const off = offsets[b] as number;
    for (let i = 0; i < g.n; i++) {
      const r = (off + i) * F;
      for (let k = 0; k < F; k++) x[r + k] = ((g.x[i * F + k] as number) - (mean[k] as number)) * (inv[k] as number);
      work[(off + i) * 2] = Math.expm1(g.x[i * F + COL_MACS] as number) / 1e6;
      let bytes = 0;
      for (const c of COL_BYTES) bytes += Math.expm1(g.x[i * F + c] as number);
      work[(off + i) * 2 + 1] = bytes / 1e6;
    }
    for (let j = 0; j < g.edgeSrc.length; j++) {
      src[e] = off + (g.edgeSrc[j] as number);
      dst[e] = off + (g.edgeDst[j] as number);
      e++;
    }
  });
  const rowPtr = Int32Array.from(offsets);
  const col = new Int32Array(N);
  for (let i = 0; i < N; i++) col[i] = i;
  const readout: Csr = { rows: graphs.length, cols: N, rowPtr, col, val: new Float32Array(N).fill(1) };
  return {
    numGraphs: graphs.length,
    numNodes: N,
    x,
    aggIn: meanAggregationCsr(N, src, dst),
    aggOut: meanAggregationCsr(N, dst, src),
    readout,
    offsets,
    work,
  };
}
