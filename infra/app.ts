import { App } from 'aws-cdk-lib';
import { definePipelineApp } from './pipeline-app.ts';

const app = new App();
definePipelineApp(app, {
  account: process.env.CDK_DEFAULT_ACCOUNT,
  region: process.env.CDK_DEFAULT_REGION,
});
