/**
 * Module aliases of every Lambda bundle (CDK deploys and `pipeline dev` alike), relative to the
 * repository root: the SDK's default credential chain becomes the environment provider Lambda needs
 * (see `lambda-credentials.ts`).
 */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': 'shared/aws/lambda-credentials.ts',
};
