// The avatar upload API as the seed configured it by hand in the console (system.md): an HTTP API with
// POST /avatars/key_upload (Lambda authorizer: payload 2.0, simple responses, caching off, identity source
// $request.header.Authorization) and OPTIONS /{proxy+} (no authorizer), both to the upload Lambda; stage $default;
// CORS in the API's configuration. The functions are the harness's python ones (app/upload_python, app/authorizer_python).
import * as cdk from "aws-cdk-lib";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { optional, required } from "./context";

export class AvatarApiStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    const uploadsBucketName = required(this, "uploadsBucketName");

    const upload = new lambda.Function(this, "CruddurAvatarUpload", {
      functionName: optional(this, "uploadFunctionName"),
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: "handler.handler",
      code: lambda.Code.fromAsset(required(this, "uploadCode")),
      timeout: cdk.Duration.seconds(10),
      environment: { UPLOADS_BUCKET_NAME: uploadsBucketName },
    });
    upload.addToRolePolicy(new iam.PolicyStatement({
      actions: ["s3:PutObject"], // the presigned PUT is made with this role's credentials
      resources: [`arn:aws:s3:::${uploadsBucketName}/*`],
    }));

    const authorizerEnvironment: Record<string, string> = {
      USER_POOL_ID: required(this, "userPoolId"),
      CLIENT_ID: required(this, "clientId"),
    };
    const jwksUrl = optional(this, "jwksUrl"); // the harness serves the fake pool's keys on loopback
    if (jwksUrl) authorizerEnvironment.JWKS_URL = jwksUrl;
    const authorizerFunction = new lambda.Function(this, "CruddurApiGatewayLambdaAuthorizer", {
      functionName: optional(this, "authorizerFunctionName"),
      runtime: lambda.Runtime.PYTHON_3_12,
      handler: "handler.handler",
      code: lambda.Code.fromAsset(required(this, "authorizerCode")),
      timeout: cdk.Duration.seconds(10),
      environment: authorizerEnvironment,
    });

    const authorizer = new HttpLambdaAuthorizer("CruddurJWTAuthorizer", authorizerFunction, {
      authorizerName: "CruddurJWTAuthorizer",
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      resultsCacheTtl: cdk.Duration.seconds(0),
      identitySource: ["$request.header.Authorization"],
    });
    const api = new apigwv2.HttpApi(this, "CruddurAvatarApi", {
      apiName: "cruddur-avatar-api",
      corsPreflight: {
        allowOrigins: [required(this, "frontendOrigin")],
        allowMethods: [apigwv2.CorsHttpMethod.OPTIONS, apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
        allowHeaders: ["authorization", "content-type"],
        maxAge: cdk.Duration.seconds(300),
      },
    });
    const integration = new HttpLambdaIntegration("UploadIntegration", upload);
    api.addRoutes({ path: "/avatars/key_upload", methods: [apigwv2.HttpMethod.POST], integration, authorizer });
    api.addRoutes({ path: "/{proxy+}", methods: [apigwv2.HttpMethod.OPTIONS], integration });

    new cdk.CfnOutput(this, "ApiId", { value: api.apiId });
    new cdk.CfnOutput(this, "ApiEndpoint", { value: api.apiEndpoint });
    new cdk.CfnOutput(this, "UploadFunctionName", { value: upload.functionName });
    new cdk.CfnOutput(this, "AuthorizerFunctionName", { value: authorizerFunction.functionName });
  }
}
