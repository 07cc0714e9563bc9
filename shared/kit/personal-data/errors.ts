import { PipelineError } from '../errors/pipeline-error.ts';

/**
 * Why a personal field could not be read. Each is final for the value at hand (retrying reads the same
 * key table), so none is retryable: a consumer skips the side effect with the reason, never loops.
 */
export type PersonalDataErrorCode = 'KEY_NOT_FOUND' | 'SUBJECT_FORGOTTEN' | 'DECRYPTION_FAILED';

/** Base of the personal-data errors; `subjectId` names the data subject, never the value. */
export class PersonalDataError<
  Code extends PersonalDataErrorCode = PersonalDataErrorCode,
> extends PipelineError<Code> {
  readonly subjectId: string;

  constructor(code: Code, subjectId: string, message: string, cause?: unknown) {
    super(code, message, { cause, retryable: false });
    this.subjectId = subjectId;
  }
}

/** No key was ever created for the subject in this keys table (or it was removed without a tombstone). */
export class KeyNotFoundError extends PersonalDataError<'KEY_NOT_FOUND'> {
  constructor(subjectId: string) {
    super('KEY_NOT_FOUND', subjectId, `no data key for subject ${subjectId}`);
  }
}

/** The subject's key was deleted by `pipeline forget`: every copy of its personal fields is unreadable. */
export class SubjectForgottenError extends PersonalDataError<'SUBJECT_FORGOTTEN'> {
  readonly forgottenAt: string | undefined;

  constructor(subjectId: string, forgottenAt?: string) {
    super(
      'SUBJECT_FORGOTTEN',
      subjectId,
      `subject ${subjectId} was forgotten${forgottenAt ? ` at ${forgottenAt}` : ''}; its personal data is erased`,
    );
    this.forgottenAt = forgottenAt;
  }
}

/**
 * The ciphertext does not open under the key: another subject's key, another field, or bytes changed
 * after encryption. Never answered with garbage: AES-GCM's tag refuses it.
 */
export class DecryptionFailedError extends PersonalDataError<'DECRYPTION_FAILED'> {
  constructor(subjectId: string, field: string, cause?: unknown) {
    super(
      'DECRYPTION_FAILED',
      subjectId,
      `field ${field} of subject ${subjectId} does not decrypt (wrong key or tampered)`,
      cause,
    );
  }
}

/** True for the two errors that mean "this subject's personal data is gone": skip, do not retry. */
export function isErasedData(error: unknown): error is KeyNotFoundError | SubjectForgottenError {
  return error instanceof KeyNotFoundError || error instanceof SubjectForgottenError;
}
