/**
 * `resnet`: ResNet basic (3x3, 3x3) or bottleneck (1x1, 3x3, 1x1 ×4) blocks with BN folded into
 * the convs, projection shortcut (1x1 conv, stride) when the shape changes, Add → Relu; stem
 * 7x7/2 + MaxPool for large inputs, 3x3/1 for small (CIFAR-style); GAP → Flatten → Gemm.
 */
import type { GraphBuilder, Rng, T } from './common.ts';
import { IMAGE_SIDES } from './sizes.ts';

/** Samples one ResNet-style net; returns the ONNX bytes (opset 13). */
export function resnet(r: Rng, g: GraphBuilder): Uint8Array {
  const side = r.pick(IMAGE_SIDES);
  const input: T = { name: 'input', shape: [1, r.pick([1, 3, 3]), side, side] };
  const bottleneck = r.bool(0.4);
  let width = r.pick([8, 16, 32, 64]);
  let x: T;
  if (side >= 96) {
    x = g.act(g.conv(input, width, 7, 2), 'relu');
    x = g.pool('MaxPool', x, 3, 2);
  } else {
    x = g.act(g.conv(input, width, 3, 1), 'relu');
  }
  const stages = r.int(2, 4);
  for (let s = 0; s < stages; s++) {
    const blocks = r.int(1, 3);
    for (let b = 0; b < blocks; b++) {
      const stride = s > 0 && b === 0 && (x.shape[2] as number) >= 4 ? 2 : 1;
      const cout = bottleneck ? width * 4 : width;
      let y: T;
      if (bottleneck) {
        y = g.act(g.conv(x, width, 1), 'relu');
        y = g.act(g.conv(y, width, 3, stride), 'relu');
        y = g.conv(y, cout, 1);
      } else {
        y = g.act(g.conv(x, width, 3, stride), 'relu');
        y = g.conv(y, cout, 3);
      }
      const short = stride !== 1 || x.shape[1] !== cout ? g.conv(x, cout, 1, stride) : x;
      x = g.act(g.binary('Add', y, short), 'relu');
    }
    width *= 2;
  }
  x = g.flatten(g.gap(x));
  const out = g.gemm(x, r.pick([10, 100, 1000]));
  return g.finish('resnet', input, out);
}
