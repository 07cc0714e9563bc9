/**
 * Personal data in an append-only store: fields marked `personal(…)` in the catalog are encrypted
 * under a key per data subject before they are stored or sent; `pipeline forget` deletes the key
 * (crypto-shredding). See docs/personal-data.md.
 */
export { decryptValue, ERASED_CIPHERTEXT, ERASED_PLACEHOLDER, encryptValue, isCiphertext } from './cipher.ts';
export { DynamoDbSubjectKeys, SUBJECT_KEYS_PARTITION_KEY } from './dynamodb-subject-keys.ts';
export {
  DecryptionFailedError,
  isErasedData,
  KeyNotFoundError,
  PersonalDataError,
  SubjectForgottenError,
} from './errors.ts';
export {
  personalFieldsOf,
  protectEvent,
  type Revealed,
  revealEvent,
  revealForEffect,
  revealOrErase,
} from './protect.ts';
export { fieldPathText, type PersonalField, personal, personalFields } from './schema.ts';
export {
  CachedSubjectKeys,
  type ForgetResult,
  InMemorySubjectKeys,
  type SubjectKeyState,
  type SubjectKeys,
} from './subject-keys.ts';
