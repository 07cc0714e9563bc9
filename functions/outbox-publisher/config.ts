import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';
import type { PutEvents } from './publish.ts';

const configSchema = z.object({
  EVENT_BUS_NAME: z.string().min(1),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** PutEvents calls per batch before the record is reported as failed. */
  PUBLISH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
});

/** Parsed once at cold start: a missing variable fails the init, not every invocation. */
export const config = configSchema.parse(process.env);

const eventBridge = new EventBridgeClient({ region: config.AWS_REGION });

/** PutEvents through the SDK client built once per container. */
export const putEvents: PutEvents = (entries) =>
  eventBridge.send(new PutEventsCommand({ Entries: entries.map((entry) => ({ ...entry })) }));
