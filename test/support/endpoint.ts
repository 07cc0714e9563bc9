/**
 * What the endpoint under test can do, as the caller declares it. `npm test` sets these for the
 * emulators it runs the int tier against (test/run-all.ts); left unset, the endpoint is assumed to do
 * everything (MiniStack, AWS), and the conformance suite probes it (test/int/conformance.support.ts).
 *
 * PIPELINE_ENDPOINT_RUNS_LAMBDA=0: functions deployed there never run (moto, LocalStack on the host:
 * their only Lambda executor is Docker). Tests that need a running function skip, saying why.
 */
export function endpointRunsLambda(environment: NodeJS.ProcessEnv = process.env): boolean {
  return environment.PIPELINE_ENDPOINT_RUNS_LAMBDA !== '0';
}
