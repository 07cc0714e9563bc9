import { type Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { type Archive, type CfnEventBus, EventBus } from 'aws-cdk-lib/aws-events';
import { CfnDiscoverer } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';

/** Props of {@link PipelineEventBus}. */
export interface PipelineEventBusProps {
  /** @default `<stack name>-bus` */
  readonly busName?: string;
  /**
   * How long the archive keeps every event of this account for replay; `Duration.days(0)` keeps them
   * forever. @default Duration.days(7)
   */
  readonly archiveRetention?: Duration;
  /**
   * Accounts whose principals may call PutEvents on the bus (the bus resource policy).
   * @default this stack's account only
   */
  readonly putEventsAccounts?: readonly string[];
  /** Registers an EventBridge schema discoverer on the bus (costs per discovered event). @default false */
  readonly schemaDiscovery?: boolean;
  /** For the archive, which holds events: keep it when the stack goes (prod). @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

const ACCOUNT_ID = /^\d{12}$/;
const MAX_ARCHIVE_NAME = 48;

/**
 * The product's custom event bus: a resource policy that lets only the listed accounts (by default this
 * one) put events, an archive of every event for replay, and optional schema discovery.
 *
 * The policy is the bus's own `Policy` property rather than `AWS::Events::EventBusPolicy` resources,
 * so the whole policy is declared in one place; use `putEventsAccounts` instead of
 * `bus.addToResourcePolicy`, which would add a second, competing policy resource.
 */
export class PipelineEventBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  /** Name of the archive (replays start from it). */
  readonly archiveName: string;
  readonly discoverer?: CfnDiscoverer;

  constructor(scope: Construct, id: string, props: PipelineEventBusProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const busName = props.busName ?? `${stack.stackName}-bus`;
    const accounts = props.putEventsAccounts ?? [stack.account];
    validateBusProps(id, busName, accounts, props.archiveRetention);

    this.bus = new EventBus(this, 'Bus', { eventBusName: busName });
    const busArn = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: busName });
    (this.bus.node.defaultChild as CfnEventBus).policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PutEventsFromAllowedAccounts',
          Effect: 'Allow',
          Principal: { AWS: accounts.map((account) => `arn:${stack.partition}:iam::${account}:root`) },
          Action: 'events:PutEvents',
          Resource: busArn,
        },
      ],
    };

    this.archiveName = archiveNameFor(busName);
    this.archive = this.bus.archive('Archive', {
      archiveName: this.archiveName,
      description: `Every event of ${busName}, for replay`,
      // An archive needs a pattern; "from this account" matches every event on the bus.
      eventPattern: { account: [stack.account] },
      retention: props.archiveRetention,
    });
    this.archive.applyRemovalPolicy(props.removalPolicy ?? RemovalPolicy.DESTROY);

    if (props.schemaDiscovery) {
      this.discoverer = new CfnDiscoverer(this, 'SchemaDiscoverer', {
        sourceArn: this.bus.eventBusArn,
        description: `Schema discovery on ${busName}`,
        crossAccount: false,
      });
    }
  }
}

/** Archive names allow fewer characters (no `/`) and at most 48 of them; the end is the telling part. */
function archiveNameFor(busName: string): string {
  return `${busName}-archive`
    .replace(/[^\w.-]/g, '-')
    .slice(-MAX_ARCHIVE_NAME)
    .replace(/^[-_.]+/, '');
}

function validateBusProps(id: string, busName: string, accounts: readonly string[], retention?: Duration) {
  if (!/^[\w.\-/]{1,256}$/.test(busName) || busName === 'default') {
    throw new Error(`${id}: "${busName}" is not a valid custom bus name`);
  }
  if (accounts.length === 0) throw new Error(`${id}: putEventsAccounts must name at least one account`);
  for (const account of accounts) {
    // Tokens (this stack's account when it is environment-agnostic) are resolved by CloudFormation.
    if (!Token.isUnresolved(account) && !ACCOUNT_ID.test(account)) {
      throw new Error(`${id}: "${account}" is not a 12-digit account id`);
    }
  }
  if (retention && !Number.isInteger(retention.toDays({ integral: false }))) {
    throw new Error(`${id}: archiveRetention must be whole days`);
  }
}
