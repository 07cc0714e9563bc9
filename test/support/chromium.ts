import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Debian's chromium, which .ci/run installs; another one through PIPELINE_CHROMIUM. */
export const CHROMIUM = process.env.PIPELINE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether a browser test of `subject` can run, and the suffix its describe name carries when it
 * cannot. Skipped, saying why, on a developer's machine without chromium; under CI (`CI=true`, set by
 * .ci/run) a missing chromium fails instead, through a test registered here.
 */
export function chromiumFor(subject: string): { available: boolean; skipReason: string } {
  const available = existsSync(CHROMIUM);
  const underCi = process.env.CI === 'true';
  describe.runIf(!available && underCi)(`${subject} under CI`, () => {
    it('needs chromium, which .ci/run installs', () => {
      expect.fail(`${CHROMIUM} is missing under CI: .ci/run installs it with apt-get install chromium`);
    });
  });
  const skipReason = available
    ? ''
    : ` (SKIPPED: ${CHROMIUM} is missing; install it with apt-get install chromium, or set PIPELINE_CHROMIUM)`;
  // The default reporter names no skipped test: say it where every run shows it.
  if (!available && !underCi) console.warn(`${subject} browser test${skipReason}`);
  return { available, skipReason };
}
