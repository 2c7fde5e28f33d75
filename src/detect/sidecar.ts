/**
 * The model sidecar (NAME.json beside NAME.onnx): the model contract's required fields, and the
 * optional ones hazardsim's own training writes. Model loading checks sidecars with it, and
 * `hazardsim schema --kind sidecar` prints it as JSON Schema (schema/sidecar.schema.json).
 */
import * as z from 'zod';

export const CHANNELS = ['ax', 'ay', 'az', 'gx', 'gy', 'gz'] as const;

export const sidecarSchema = z
  .looseObject({
    input: z
      .looseObject({
        name: z.string({ error: 'expected the name of the model input' }).describe('Name of the ONNX graph input.'),
        shape: z
          .tuple([z.union([z.string(), z.number(), z.null()]), z.number().int().positive(), z.number().int().positive()], { error: 'expected the input shape [batch, channels, samples]' })
          .describe('[batch, channels, samples]: batch free (a name or null), then the channel count and the samples per window.'),
      }, { error: 'expected the model input: {name, shape}' })
      .describe('The graph input: float32 windows [batch, channels, samples], device frame, SI units, gravity included, oldest sample first.'),
    output: z
      .looseObject({ name: z.string({ error: 'expected the name of the model output' }).describe('Name of the ONNX graph output: one probability per window, [batch] or [batch, 1].') }, { error: 'expected the model output: {name}' })
      .describe('The graph output: a probability per window.'),
    channels: z.array(z.enum(CHANNELS), { error: `expected a list of channels from ${CHANNELS.join(', ')}` }).min(1, { error: `expected a list of channels from ${CHANNELS.join(', ')}` })
      .describe('Channel order of the input: accelerometer ax, ay, az (m/s²), gyroscope gx, gy, gz (rad/s).'),
    rate_hz: z.number({ error: 'expected the sample rate in Hz' }).positive({ error: 'expected the sample rate in Hz' }).describe('Sample rate of the windows, Hz (phones are resampled to it).'),
    units: z.record(z.string(), z.string()).optional().describe('Unit of each channel (m/s^2, rad/s).'),
    threshold: z.number().min(0, { error: 'expected a probability threshold from 0 to 1' }).max(1, { error: 'expected a probability threshold from 0 to 1' }).optional()
      .describe('Probability at or above which the detector triggers (default 0.5).'),
    window_s: z.number().positive().optional().describe('Window length, s (samples / rate_hz).'),
    hazardsim_model: z.number().int().optional().describe('Version of hazardsim\'s own sidecar (set by hazardsim train).'),
    name: z.string().optional().describe('Name of the model (shown in outputs and the budget).'),
    created: z.string().optional().describe('When the model was trained (ISO 8601).'),
    task: z.string().optional().describe('What the model answers.'),
    positive_labels: z.array(z.string()).optional().describe('Dataset labels counted as positives.'),
    features: z.looseObject({}).optional().describe('The feature pipeline inside the graph.'),
    model: z.looseObject({ parameters: z.number().int().optional().describe('Trainable parameters (weights).'), multiply_adds_per_window: z.number().optional().describe('Multiply–adds to score one window.') }).optional()
      .describe('Architecture, parameters and multiply-adds per window (the budget reads multiply_adds_per_window).'),
    threshold_rule: z.string().optional().describe('How the threshold was chosen.'),
    training: z.looseObject({}).optional().describe('Training data (dataset hashes, scenarios) and options.'),
    metrics: z.looseObject({}).optional().describe('Test metrics at training time.'),
  })
  .describe('Sidecar of an ONNX detector model: the model contract (README: "The model contract").');

export type Sidecar = z.output<typeof sidecarSchema>;

export function sidecarJsonSchema(): unknown {
  return { ...(z.toJSONSchema(sidecarSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>), $id: 'https://hazardsim.dev/schema/sidecar.json', title: 'hazardsim model sidecar' };
}
