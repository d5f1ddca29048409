// The seed's ThumbingServerlessCdkStack (system.md "Infrastructure"): the uploads bucket (removal policy DESTROY), the
// assets bucket imported by name, the thumbnail function with its environment, an OBJECT_CREATED_PUT notification on the
// uploads bucket with no prefix filter, s3:GetObject/s3:PutObject on both buckets' objects, and the SNS topic notified
// of new assets under the output folder (with an HTTPS subscription only when a webhook URL is given).
import * as cdk from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as s3n from "aws-cdk-lib/aws-s3-notifications";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { optional, required } from "./context";

export class ThumbingServerlessCdkStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const folderOutput = required(this, "folderOutput");

    const uploadsBucket = new s3.Bucket(this, "UploadsBucket", {
      bucketName: required(this, "uploadsBucketName"),
      removalPolicy: cdk.RemovalPolicy.DESTROY,
      // autoDeleteObjects (CDK's Custom::S3AutoDeleteObjects) only with context autoDeleteObjects=true: its Node
      // handler answers CloudFormation with https on port 443, which the harness's engine does not serve (README).
      autoDeleteObjects: optional(this, "autoDeleteObjects") === "true",
      cors: [{
        allowedHeaders: ["*"],
        allowedMethods: [s3.HttpMethods.PUT],
        allowedOrigins: ["https://*.gitpod.io"],
        exposedHeaders: ["x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2"],
        maxAge: 3000,
      }],
    });
    const assetsBucket = s3.Bucket.fromBucketName(this, "AssetsBucket", required(this, "assetsBucketName"));

    const thumbLambda = new lambda.Function(this, "ThumbLambda", {
      functionName: optional(this, "thumbnailFunctionName"),
      runtime: new lambda.Runtime(required(this, "thumbnailRuntime"), lambda.RuntimeFamily.NODEJS),
      handler: "index.handler",
      code: lambda.Code.fromAsset(required(this, "thumbnailCode")),
      timeout: cdk.Duration.seconds(30),
      memorySize: 512,
      environment: {
        DEST_BUCKET_NAME: assetsBucket.bucketName,
        FOLDER_INPUT: optional(this, "folderInput") ?? "",
        FOLDER_OUTPUT: folderOutput,
        PROCESS_WIDTH: required(this, "processWidth"),
        PROCESS_HEIGHT: required(this, "processHeight"),
      },
    });

    uploadsBucket.addEventNotification(s3.EventType.OBJECT_CREATED_PUT, new s3n.LambdaDestination(thumbLambda));
    for (const bucket of [uploadsBucket, assetsBucket]) {
      thumbLambda.addToRolePolicy(new iam.PolicyStatement({
        actions: ["s3:GetObject", "s3:PutObject"],
        resources: [`${bucket.bucketArn}/*`],
      }));
    }

    const topic = new sns.Topic(this, "ThumbingTopic", { topicName: required(this, "topicName") });
    const webhookUrl = optional(this, "webhookUrl");
    if (webhookUrl) {
      topic.addSubscription(new subscriptions.UrlSubscription(webhookUrl, {
        protocol: webhookUrl.startsWith("https:") ? sns.SubscriptionProtocol.HTTPS : sns.SubscriptionProtocol.HTTP,
      }));
    }
    assetsBucket.addEventNotification(s3.EventType.OBJECT_CREATED_PUT, new s3n.SnsDestination(topic),
      { prefix: `${folderOutput}/` });

    new cdk.CfnOutput(this, "UploadsBucketName", { value: uploadsBucket.bucketName });
    new cdk.CfnOutput(this, "ThumbnailFunctionName", { value: thumbLambda.functionName });
    new cdk.CfnOutput(this, "TopicArn", { value: topic.topicArn });
  }
}
