/**
 * TFLite flatbuffer schema facts the reader needs: vtable slots of the core tables, the
 * `BuiltinOperator` and `TensorType` enums, `BuiltinOptions` union tags and small enums.
 * Source: tflite-format.md (schema.fbs "Version 3d", tensorflow/tflite-micro@90b983c2); section
 * numbers below refer to that document.
 */
import type { DType } from '../graph/ir.ts';

/** FlatBuffer file identifier at bytes 4..8 (tflite-format.md §1). */
export const TFLITE_IDENTIFIER = 'TFL3';

/** `Model` field slots (tflite-format.md §2.1). */
export const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, metadata: 6 } as const;

/** `OperatorCode` field slots (§2.2); the effective code is max(deprecated, builtin). */
export const OPERATOR_CODE = { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 } as const;

/** `SubGraph` field slots (§2.3). */
export const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 } as const;

/** `Tensor` field slots (§2.4). */
export const TENSOR = {
  shape: 0,
  type: 1,
  buffer: 2,
  name: 3,
  quantization: 4,
  isVariable: 5,
  sparsity: 6,
  shapeSignature: 7,
  hasRank: 8,
  externalBuffer: 10,
} as const;

/** `QuantizationParameters` field slots (§2.4). */
export const QUANTIZATION = { min: 0, max: 1, scale: 2, zeroPoint: 3, quantizedDimension: 6 } as const;

/** `Operator` field slots (§2.5); input index −1 marks an omitted optional input. */
export const OPERATOR = {
  opcodeIndex: 0,
  inputs: 1,
  outputs: 2,
  builtinOptionsType: 3,
  builtinOptions: 4,
  customOptions: 5,
  builtinOptions2Type: 11,
  builtinOptions2: 12,
} as const;

/** `Buffer` field slots (§2.6): `offset`/`size` (uint64) are used by models over 2 GB when > 1. */
export const BUFFER = { data: 0, offset: 1, size: 2 } as const;

/** `BuiltinOperator` names by code, 0..209 (tflite-format.md §4). */
export const BUILTIN_OPERATORS: readonly string[] = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE', 'DEQUANTIZE',
  'EMBEDDING_LOOKUP', 'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP', 'L2_NORMALIZATION', 'L2_POOL_2D',
  'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION', 'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU',
  'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RNN', 'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF', 'TANH',
  'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL', 'CUSTOM', 'EMBEDDING_LOOKUP_SPARSE', 'PAD',
  'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER', 'BATCH_TO_SPACE_ND', 'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN',
  'SUB', 'DIV', 'SQUEEZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN',
  'EXP', 'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE', 'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU',
  'MAXIMUM', 'ARG_MAX', 'MINIMUM', 'LESS', 'NEG', 'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL',
  'SELECT', 'SLICE', 'SIN', 'TRANSPOSE_CONV', 'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL',
  'LOG', 'SUM', 'SQRT', 'RSQRT', 'SHAPE', 'POW', 'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX',
  'PACK', 'LOGICAL_OR', 'ONE_HOT', 'LOGICAL_AND', 'LOGICAL_NOT', 'UNPACK', 'REDUCE_MIN', 'FLOOR_DIV',
  'REDUCE_ANY', 'SQUARE', 'ZEROS_LIKE', 'FILL', 'FLOOR_MOD', 'RANGE', 'RESIZE_NEAREST_NEIGHBOR',
  'LEAKY_RELU', 'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS', 'SPLIT_V', 'UNIQUE', 'CEIL', 'REVERSE_V2',
  'ADD_N', 'GATHER_ND', 'COS', 'WHERE', 'RANK', 'ELU', 'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE',
  'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH', 'IF', 'WHILE', 'NON_MAX_SUPPRESSION_V4',
  'NON_MAX_SUPPRESSION_V5', 'SCATTER_ND', 'SELECT_V2', 'DENSIFY', 'SEGMENT_SUM', 'BATCH_MATMUL',
  'PLACEHOLDER_FOR_GREATER_OP_CODES', 'CUMSUM', 'CALL_ONCE', 'BROADCAST_TO', 'RFFT2D', 'CONV_3D', 'IMAG',
  'REAL', 'COMPLEX_ABS', 'HASHTABLE', 'HASHTABLE_FIND', 'HASHTABLE_IMPORT', 'HASHTABLE_SIZE', 'REDUCE_ALL',
  'CONV_3D_TRANSPOSE', 'VAR_HANDLE', 'READ_VARIABLE', 'ASSIGN_VARIABLE', 'BROADCAST_ARGS',
  'RANDOM_STANDARD_NORMAL', 'BUCKETIZE', 'RANDOM_UNIFORM', 'MULTINOMIAL', 'GELU', 'DYNAMIC_UPDATE_SLICE',
  'RELU_0_TO_1', 'UNSORTED_SEGMENT_PROD', 'UNSORTED_SEGMENT_MAX', 'UNSORTED_SEGMENT_SUM', 'ATAN2',
  'UNSORTED_SEGMENT_MIN', 'SIGN', 'BITCAST', 'BITWISE_XOR', 'RIGHT_SHIFT', 'STABLEHLO_LOGISTIC',
  'STABLEHLO_ADD', 'STABLEHLO_DIVIDE', 'STABLEHLO_MULTIPLY', 'STABLEHLO_MAXIMUM', 'STABLEHLO_RESHAPE',
  'STABLEHLO_CLAMP', 'STABLEHLO_CONCATENATE', 'STABLEHLO_BROADCAST_IN_DIM', 'STABLEHLO_CONVOLUTION',
  'STABLEHLO_SLICE', 'STABLEHLO_CUSTOM_CALL', 'STABLEHLO_REDUCE', 'STABLEHLO_ABS', 'STABLEHLO_AND',
  'STABLEHLO_COSINE', 'STABLEHLO_EXPONENTIAL', 'STABLEHLO_FLOOR', 'STABLEHLO_LOG', 'STABLEHLO_MINIMUM',
  'STABLEHLO_NEGATE', 'STABLEHLO_OR', 'STABLEHLO_POWER', 'STABLEHLO_REMAINDER', 'STABLEHLO_RSQRT',
  'STABLEHLO_SELECT', 'STABLEHLO_SUBTRACT', 'STABLEHLO_TANH', 'STABLEHLO_SCATTER', 'STABLEHLO_COMPARE',
  'STABLEHLO_CONVERT', 'STABLEHLO_DYNAMIC_SLICE', 'STABLEHLO_DYNAMIC_UPDATE_SLICE', 'STABLEHLO_PAD',
  'STABLEHLO_IOTA', 'STABLEHLO_DOT_GENERAL', 'STABLEHLO_REDUCE_WINDOW', 'STABLEHLO_SORT', 'STABLEHLO_WHILE',
  'STABLEHLO_GATHER', 'STABLEHLO_TRANSPOSE', 'DILATE', 'STABLEHLO_RNG_BIT_GENERATOR', 'REDUCE_WINDOW',
  'STABLEHLO_COMPOSITE', 'STABLEHLO_SHIFT_LEFT', 'STABLEHLO_CBRT', 'STABLEHLO_CASE',
];

/** `BuiltinOperator` code of CUSTOM (§4): the op name is in `OperatorCode.custom_code`. */
export const CUSTOM_CODE = 32;

/** Name of a builtin op code, `BUILTIN_<code>` for codes newer than this table. */
export function builtinName(code: number): string {
  return BUILTIN_OPERATORS[code] ?? `BUILTIN_${code}`;
}

/** `TensorType` → IR dtype (tflite-format.md §3); types with no IR equivalent map to the nearest. */
const TENSOR_TYPES: readonly DType[] = [
  'float32', // 0 FLOAT32
  'float16', // 1 FLOAT16
  'int32', // 2 INT32
  'uint8', // 3 UINT8
  'int64', // 4 INT64
  'string', // 5 STRING
  'bool', // 6 BOOL
  'int16', // 7 INT16
  'complex64', // 8 COMPLEX64
  'int8', // 9 INT8
  'float64', // 10 FLOAT64
  'complex128', // 11 COMPLEX128
  'uint64', // 12 UINT64
  'unknown', // 13 RESOURCE (a handle)
  'unknown', // 14 VARIANT
  'uint32', // 15 UINT32
  'uint16', // 16 UINT16
  'int4', // 17 INT4 (packed two per byte)
  'bfloat16', // 18 BFLOAT16
  'int4', // 19 INT2 (packed four per byte; counted as int4, an over-estimate)
  'uint4', // 20 UINT4
  'float8', // 21 FLOAT8_E4M3FN
  'float8', // 22 FLOAT8_E5M2
];

/** IR dtype of a `TensorType` code ('unknown' for codes newer than §3). */
export function dtypeFromTflite(code: number): DType {
  return TENSOR_TYPES[code] ?? 'unknown';
}

/** `TensorType` codes of the IR dtypes that have one (inverse of `dtypeFromTflite`, §3). */
export function dtypeToTflite(dtype: DType): number | undefined {
  const i = TENSOR_TYPES.indexOf(dtype);
  return i >= 0 && dtype !== 'unknown' ? i : undefined;
}

/** `BuiltinOptions` union tags of the options tables the reader decodes (tflite-format.md §5). */
export const OPTIONS = {
  Conv2D: 1,
  DepthwiseConv2D: 2,
  Pool2D: 5,
  SVDF: 6,
  FullyConnected: 8,
  Softmax: 9,
  Concatenation: 10,
  Add: 11,
  LSTM: 14,
  ResizeBilinear: 15,
  Call: 16,
  Reshape: 17,
  SpaceToDepth: 19,
  Mul: 21,
  Gather: 23,
  Reducer: 27,
  Sub: 28,
  Div: 29,
  Squeeze: 30,
  StridedSlice: 32,
  Split: 35,
  Cast: 37,
  TransposeConv: 49,
  Pack: 59,
  Unpack: 64,
  UnidirectionalSequenceLSTM: 71,
  ResizeNearestNeighbor: 74,
  LeakyRelu: 75,
  SplitV: 79,
  If: 92,
  While: 93,
  DepthToSpace: 94,
  BatchMatMul: 101,
  Conv3D: 106,
} as const;

/** `ActivationFunctionType` names by value (§6); the IR's `Node.fusedActivation` uses them. */
export const ACTIVATIONS: readonly string[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** `Padding` (§6): 0 SAME, 1 VALID; mapped to the ONNX `auto_pad` the registry reads. */
export function autoPadFromTflite(padding: number): 'SAME_UPPER' | 'VALID' {
  // TensorFlow SAME puts the odd padding at the end, which is ONNX SAME_UPPER.
  return padding === 1 ? 'VALID' : 'SAME_UPPER';
}
