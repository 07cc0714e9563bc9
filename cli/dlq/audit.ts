import { appendFileSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { localDir } from '../paths.ts';

/** Append-only record of every message a redrive moved: `.local/audit/dlq-redrive.jsonl`. */
export function auditFile(dir: string = localDir): string {
  return join(dir, 'audit', 'dlq-redrive.jsonl');
}

/** One moved message. */
export interface AuditEntry {
  readonly time: string;
  readonly operator: string;
  readonly stack: string;
  readonly dlq: string;
  readonly target: string;
  readonly messageId: string;
  readonly newMessageId: string;
  /** False when the copy was sent but the DLQ refused the delete: the message is in both queues. */
  readonly deletedFromDlq: boolean;
  /** Why it had been dead-lettered: the reason attributes a redrive does not carry over. */
  readonly reason: string;
}

/** The JSON line of one entry, keys in a fixed order so the file reads (and diffs) the same way. */
export function auditLine(entry: AuditEntry): string {
  const ordered: AuditEntry = {
    time: entry.time,
    operator: entry.operator,
    stack: entry.stack,
    dlq: entry.dlq,
    target: entry.target,
    messageId: entry.messageId,
    newMessageId: entry.newMessageId,
    deletedFromDlq: entry.deletedFromDlq,
    reason: entry.reason,
  };
  return `${JSON.stringify(ordered)}\n`;
}

/** Appends entries at once; written after every batch so a crash keeps what was already moved. */
export function appendAudit(file: string, entries: readonly AuditEntry[]): void {
  if (entries.length === 0) return;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, entries.map(auditLine).join(''));
}

/** Who runs the command: $USER, else the OS account name. */
export function currentOperator(environment: NodeJS.ProcessEnv = process.env): string {
  if (environment.USER) return environment.USER;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
