import { describe, expect, it } from 'vitest';
import { principalAccounts } from '../../cli/cloud/fixups-resources.ts';

describe('emulator fix-up: bus policy principals', () => {
  it('reads account ids from root ARNs, CDK joins and plain ids', () => {
    // Arrange
    const principal = {
      AWS: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] },
        'arn:aws:iam::210987654321:root',
        '000000000000',
      ],
    };

    // Act + Assert
    expect(principalAccounts(principal)).toEqual(['123456789012', '210987654321', '000000000000']);
  });

  it('resolves the deploying account reference to the local account', () => {
    const principal = { AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] } };
    expect(principalAccounts(principal)).toEqual(['000000000000']);
  });

  it('ignores service principals and wildcards', () => {
    expect(principalAccounts({ Service: 'events.amazonaws.com' })).toEqual([]);
    expect(principalAccounts('*')).toEqual([]);
  });
});
