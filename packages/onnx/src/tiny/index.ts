export { writeTinyModel, TINY_MODEL_OPSET, TINY_GRAPH_REVISION, type TinyModelConfig, type TinyModelInfo } from './write-model.ts';
export { tinyModelPresets, tinyParameterCount, EXTERNAL_DATA_THRESHOLD, type TinyModelOptions } from './options.ts';
export { writeOnnxModel, type OnnxWriteResult } from './onnx-file.ts';
export type { WeightSpec } from './graph.ts';
