import type { Check } from '../types.ts';
import { cfnEventsArchive, cfnSqsRedrive } from './cloudformation.ts';
import { dynamodbStreams, dynamodbTransactions } from './dynamodb.ts';
import { eventsArchive, eventsPatterns, eventsTargetDlq } from './events.ts';
import { lambdaSqsBatch } from './lambda-sqs-batch.ts';
import { snsFilterAttributes, snsFilterBody, snsRawDelivery } from './sns.ts';
import { sqsFifo } from './sqs-fifo.ts';
import { sqsRedrive } from './sqs-redrive.ts';

/** Every check, in the order they are listed and reported. */
export const allChecks: readonly Check[] = [
  sqsRedrive,
  cfnSqsRedrive,
  lambdaSqsBatch,
  sqsFifo,
  snsFilterAttributes,
  snsFilterBody,
  snsRawDelivery,
  eventsPatterns,
  eventsTargetDlq,
  eventsArchive,
  cfnEventsArchive,
  dynamodbTransactions,
  dynamodbStreams,
];
