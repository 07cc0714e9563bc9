/**
 * Module aliases of every Lambda bundle (CDK deploys and `pipeline dev` alike), relative to the
 * repository root:
 * - the SDK's default credential chain becomes the environment provider Lambda needs
 *   (see `lambda-credentials.ts`);
 * - `bowser`, the browser user-agent parser the SDK's ESM build imports dynamically, becomes a
 *   Node-only stand-in (see `bowser-stand-in.ts`): ~34 KB less in every bundle.
 */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': 'shared/kit/aws/lambda-credentials.ts',
  bowser: 'shared/kit/aws/bowser-stand-in.ts',
};
