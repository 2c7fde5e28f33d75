/** What a model-based detector knows of its ONNX model: plain data that crosses to worker threads. */

/** What a detector needs to know about its model (plain data: it crosses to worker threads). */
export interface ModelInfo {
  /** Absolute paths. */
  path: string;
  sidecarPath: string;
  sha256: string;
  inputName: string;
  outputName: string;
  /** Channel order of the input, e.g. ['ax', 'ay', 'az']. */
  channels: string[];
  /** Index of every input channel in CHANNEL_NAMES. */
  channelIndex: number[];
  rateHz: number;
  samples: number;
  windowS: number;
  /** Threshold from the sidecar (a scenario may override it). */
  threshold: number | null;
  /** Trainable values in the graph's initializers, and multiply–adds per window (sidecar, or a lower bound from the MatMul/Gemm weights). */
  parameters: number;
  macsPerWindow: number;
  macsSource: 'sidecar' | 'graph-lower-bound';
}
