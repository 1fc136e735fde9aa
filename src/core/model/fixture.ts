/** Expected outcome of a fixture incident (`expected.json`), read by tests and `medic eval`. */
import { z } from 'zod';
import { FailureClass, FixStrategy } from './common.js';

export const ExpectedOutcome = z.object({
  class: FailureClass,
  blamed: z.object({
    file: z.string(),
    function: z.string(),
    /** Optional: lines any of which counts as the right line. */
    lines: z.array(z.number().int().min(1)).optional(),
  }),
  /** One line: what the right fix does. */
  fix: z.string().min(1),
  strategies: z.array(FixStrategy).min(1),
  /** Reference fix as a unified diff, relative to the service repo. */
  referencePatch: z.string().default('reference.patch'),
});
export type ExpectedOutcome = z.infer<typeof ExpectedOutcome>;
