#!/usr/bin/env node
// The Cruddur avatar system as a CDK app (system.md): the seed's ThumbingServerlessCdkStack, and the avatar HTTP API the
// seed made by hand in the console. Settings are CDK context values (cdk.json holds the seed's; `-c key=value` overrides).
import * as cdk from "aws-cdk-lib";
import { AvatarApiStack } from "../lib/avatar-api-stack";
import { ThumbingServerlessCdkStack } from "../lib/thumbing-serverless-cdk-stack";

const app = new cdk.App();
const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
// CDK's own Node providers (autoDeleteObjects, ...) run on the region's "latest" Node runtime (nodejs24.x in this
// aws-cdk-lib), unchanged: the harness serves it.
new ThumbingServerlessCdkStack(app, "ThumbingServerlessCdkStack", { env });
if (app.node.tryGetContext("userPoolId")) {
  new AvatarApiStack(app, "CruddurAvatarApiStack", { env });
}
