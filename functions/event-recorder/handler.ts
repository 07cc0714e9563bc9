import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { config, dynamo, sqs } from './config.ts';
import { recordBatch } from './record-batch.ts';

/**
 * Walking-skeleton consumer: EventBridge rule → SQS → here → DynamoDB.
 * Each record succeeds or fails on its own (ReportBatchItemFailures). A record that can never be
 * recorded is dead-lettered at once with its reason; any other failure comes back after an
 * exponential backoff until the queue's redrive policy moves it to the DLQ.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  return recordBatch(event, {
    dynamo,
    sqs,
    tableName: config.TABLE_NAME,
    queueUrl: config.QUEUE_URL,
    dlqUrl: config.DLQ_URL,
  });
}
