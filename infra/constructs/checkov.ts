import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One checkov check skipped on a resource, with the reason a reviewer reads in the template. */
export interface CheckovSkip {
  /** The check id, e.g. `CKV_AWS_117`. */
  readonly id: string;
  readonly comment: string;
}

/**
 * Skips checkov checks on one resource (`Metadata.checkov.skip`, which checkov reads from the
 * template), keeping any skip already there. `construct` is an L1 resource or an L2 whose default
 * child is one. Each kind of skip is written once, in the construct that owns the resource; the infra
 * unit tests pin which ids each resource type may skip.
 */
export function skipCheckov(construct: IConstruct, skips: readonly CheckovSkip[]): void {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) {
    throw new Error(`${construct.node.path}: checkov skips go on a CloudFormation resource`);
  }
  for (const skip of skips) {
    if (!/^CKV2?_AWS_\d+$/.test(skip.id) || skip.comment.trim() === '') {
      throw new Error(`${construct.node.path}: a checkov skip needs a check id and a reason`);
    }
  }
  const existing = (resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip ?? [];
  const ids = new Set(skips.map((s) => s.id));
  resource.addMetadata('checkov', {
    skip: [...existing.filter((s) => !ids.has(s.id)), ...skips.map(({ id, comment }) => ({ id, comment }))],
  });
}
