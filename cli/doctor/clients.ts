import { clientsFor } from '../cloud/clients.ts';
import type { Target } from '../cloud/target.ts';
import type { DoctorClients } from './types.ts';

/** Clients for the target; the endpoint is explicit so nothing depends on ambient environment. */
export function doctorClients(target: Target): DoctorClients & { destroy(): void } {
  return clientsFor(target, { maxAttempts: 3 });
}
