/**
 * Names of the pipeline stack's outputs, defined once for the stack that declares them and for
 * everything that reads them (the CLI, the bench, the tests). No aws-cdk-lib here: the readers
 * import this module and must not pay for the CDK.
 */

/**
 * The stack's own outputs, then the orders context's (derived from its definition, unprefixed; a unit
 * test holds the two equal).
 */
export const OUTPUTS = {
  busName: 'EventBusName',
  recorderQueueUrl: 'RecorderQueueUrl',
  recorderDlqUrl: 'RecorderDlqUrl',
  recorderFunctionName: 'RecorderFunctionName',
  recordedEventsTable: 'RecordedEventsTableName',
  ruleDlqUrl: 'RuleTargetDlqUrl',
  archiveName: 'EventArchiveName',
  replayRuleArn: 'ReplayRuleArn',
  replayQueueUrl: 'ReplayStagingQueueUrl',
  replayDlqUrl: 'ReplayStagingDlqUrl',
  eventStoreTable: 'EventStoreTableName',
  /** The data subjects' keys (crypto-shredding); `pipeline forget` writes its tombstones there. */
  subjectKeysTable: 'SubjectKeysTableName',
  outboxFunctionName: 'OutboxFunctionName',
  outboxDlqUrl: 'OutboxDlqUrl',
  notificationsTopicArn: 'NotificationsTopicArn',
  emailQueueUrl: 'EmailQueueUrl',
  emailDlqUrl: 'EmailDlqUrl',
  smsQueueUrl: 'SmsQueueUrl',
  smsDlqUrl: 'SmsDlqUrl',
  pushQueueUrl: 'PushQueueUrl',
  pushDlqUrl: 'PushDlqUrl',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
  /** The orders HTTP API's URL (its `$default` stage), e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com/`. */
  apiUrl: 'OrdersApiUrl',
  orderSummaryTable: 'OrderSummaryTableName',
  sagaQueueUrl: 'SagaQueueUrl',
  sagaDlqUrl: 'SagaDlqUrl',
  inventoryQueueUrl: 'InventoryQueueUrl',
  inventoryDlqUrl: 'InventoryDlqUrl',
  paymentQueueUrl: 'PaymentQueueUrl',
  paymentDlqUrl: 'PaymentDlqUrl',
  projectorDlqUrl: 'ProjectorDlqUrl',
} as const;

/** An output listed in {@link OUTPUTS}. */
export type DeclaredOutputName = (typeof OUTPUTS)[keyof typeof OUTPUTS];

/** What a context output names; its suffix (see `contextOutputNames` in shared/kit/context.ts). */
export type ContextOutputSuffix = 'QueueUrl' | 'DlqUrl' | 'TableName' | 'TopicArn';

/**
 * An output a context declares, generated from its definition as `<prefix><Name><suffix>`
 * (e.g. `OnboardingProfilesDlqUrl`): only its suffix is known without reading the definitions.
 */
export type ContextOutputName = `${string}${ContextOutputSuffix}`;

/** Any output name of the stack. */
export type StackOutputName = DeclaredOutputName | ContextOutputName;

/** Declared outputs holding a consumer's work queue URL. */
export type QueueUrlOutput = Extract<DeclaredOutputName, `${string}QueueUrl`>;

/** Declared outputs holding a dead-letter queue URL. */
export type DlqUrlOutput = Extract<DeclaredOutputName, `${string}DlqUrl`>;
