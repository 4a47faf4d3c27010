/** A checkpoint folder's graphs and dtypes, read from files only (no inference code): @sciboard/onnx/layout. */
export { DTYPES, graphVariantFiles, runConfigDtype, selectGraph } from '@sciboard/onnx/layout';
export type { Dtype } from '@sciboard/onnx/layout';
