/**
 * Behaviour profiles (agents/behaviours/*.yaml): how the people carrying phones move and where
 * their phones sit. The foundation ships `stationary` (phones lying on tables).
 */
import * as z from 'zod';

export const PHONE_CONTEXTS = ['table', 'hand', 'pocket', 'bag', 'vehicle-mount'] as const;
export type PhoneContext = (typeof PHONE_CONTEXTS)[number];

export const behaviourProfileSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    name: z.string().min(1),
    description: z.string().optional(),
    kind: z.literal('stationary'),
    /** Where the phone sits. */
    context: z.enum(PHONE_CONTEXTS).default('table'),
  }),
]);

export type BehaviourProfile = z.output<typeof behaviourProfileSchema>;
