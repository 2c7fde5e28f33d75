/** The one thing that crosses from a phone to the server: a message (trigger, update, heartbeat). */

/** A message a device sends to the server. */
export interface TriggerMessage {
  device: number;
  /**
   * `trigger` when a detector fires, `update` when its peak amplitude grew or the trigger ended,
   * `heartbeat` for the periodic "I am here and monitoring (or not)".
   */
  kind: 'trigger' | 'update' | 'heartbeat';
  /** True simulation time of the event the message reports (s); the network uses it to send, the server never reads it. */
  time: number;
  /** The same instant as stamped by the device's clock (s). */
  deviceTime: number;
  /** Trigger onset by the device clock (s); equal to deviceTime for `trigger`. */
  onsetDeviceTime: number;
  /** Peak high-passed acceleration since the onset, m/s². */
  amplitude: number;
  /** Peak detector ratio or score since the onset. */
  ratio: number;
  /** Position the device reports (m, local frame): its GNSS fix, stamped by the engine. */
  x: number;
  y: number;
  /** 1 when the phone is eligible and monitoring. */
  monitoring: number;
  /** Model-based detectors: the model's probability for the window that decided. */
  score?: number;
  /** What the trigger is about: `shaking` (default), `bump`, `crash`, `pressure`. */
  channel?: string;
  /** Road and crash detectors: the phone's GNSS speed before the event and after it, m/s. */
  speed?: number;
  speedAfter?: number;
  /** Pressure detector: the step it saw, Pa. */
  step?: number;
}
