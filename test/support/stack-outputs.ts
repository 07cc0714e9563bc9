import { inject } from 'vitest';
import type { StackOutputName } from '../../infra/stacks/outputs.ts';

/** An output of the stack the test project deployed; a missing one fails the test, naming them all. */
export function stackOutput(name: StackOutputName): string {
  const outputs = inject('stackOutputs');
  const value = outputs[name];
  if (!value) throw new Error(`stack output ${name} missing: ${JSON.stringify(outputs)}`);
  return value;
}
