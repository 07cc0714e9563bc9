import { CliError, type Reporter } from '../output.ts';
import { ensureLocalStackInstalled, startLocalStack, uninstallLocalStack } from './localstack.ts';
import { resetMiniStack, startMiniStack, uninstall as uninstallMiniStack } from './ministack.ts';
import { ensureMotoInstalled, resetMoto, startMoto, uninstallMoto } from './moto.ts';
import { type CloudState, EMULATORS, type Emulator } from './state.ts';

/** Parses an emulator name (`--emulator`, PIPELINE_EMULATOR); MiniStack when none is given. */
export function parseEmulator(value: string | undefined): Emulator {
  const name = (value ?? 'ministack').trim().toLowerCase();
  if ((EMULATORS as readonly string[]).includes(name)) return name as Emulator;
  throw new CliError(`Unknown emulator "${value}".`, `Choose one of: ${EMULATORS.join(', ')}.`, 2);
}

/**
 * Parses a comma-separated list of the extra emulators `npm test` runs the int tier against
 * (PIPELINE_TEST_EMULATORS): `moto,localstack`; `none` or empty for none. MiniStack runs every tier
 * anyway, so it is not one of them.
 */
export function parseEmulatorList(value: string): Exclude<Emulator, 'ministack'>[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && name.toLowerCase() !== 'none');
  const emulators = names.map(parseEmulator);
  if (emulators.includes('ministack')) {
    throw new CliError(
      'MiniStack already runs every tier: list only moto and/or localstack.',
      'e.g. PIPELINE_TEST_EMULATORS=moto',
      2,
    );
  }
  return [...new Set(emulators)] as Exclude<Emulator, 'ministack'>[];
}

/** Installs (first use) and starts one emulator on 127.0.0.1; the state goes to this cloud instance. */
export function startEmulator(
  emulator: Emulator,
  reporter: Reporter,
  options: { port?: number; preferredPort?: number } = {},
): Promise<CloudState> {
  switch (emulator) {
    case 'ministack':
      return startMiniStack(reporter, options);
    case 'moto':
      return startMoto(reporter, options);
    case 'localstack':
      return startLocalStack(reporter, options);
  }
}

/**
 * Installs moto or LocalStack into .local/ if this checkout lacks it, without starting it (what
 * {@link startEmulator} would do first): `npm test` runs it while the unit tier does, off the
 * critical path.
 */
export function installEmulator(emulator: Exclude<Emulator, 'ministack'>, reporter: Reporter): Promise<void> {
  return emulator === 'moto' ? ensureMotoInstalled(reporter) : ensureLocalStackInstalled(reporter);
}

/** Wipes every resource of a running emulator, where the emulator offers a way to. */
export async function resetEmulator(emulator: Emulator | undefined, endpoint: string): Promise<void> {
  if (emulator === 'moto') {
    if (!(await resetMoto(endpoint))) throw new CliError(`moto at ${endpoint} refused the reset.`);
    return;
  }
  if (emulator === 'localstack') {
    throw new CliError(
      'LocalStack (community, on the host) has no reset call.',
      '`pipeline cloud stop && pipeline cloud start --emulator localstack` starts it empty.',
    );
  }
  await resetMiniStack(endpoint);
}

export function uninstallEmulator(emulator: Emulator): void {
  ({ ministack: uninstallMiniStack, moto: uninstallMoto, localstack: uninstallLocalStack })[emulator]();
}
