"""Plain CloudFormation templates for the engine's own tests: a python custom-resource Lambda that answers SUCCESS
(with Data), FAILED, or never, as its `Mode` property says, and prints every request it gets."""

from __future__ import annotations

import copy

CUSTOM_RESOURCE_CODE = '''
import json, urllib.request

def handler(event, context):
    seen = {key: value for key, value in event.items() if key != "ResponseURL"}
    seen["ResponseURLOrigin"] = "/".join(event["ResponseURL"].split("/")[:3])
    print("REQUEST " + json.dumps(seen, sort_keys=True))
    mode = event["ResourceProperties"].get("Mode", "succeed")
    if event["RequestType"] == "Create" and mode == "silent":
        return  # forgets to answer: CloudFormation waits until the ServiceTimeout
    failed = event["RequestType"] == "Create" and mode == "fail"
    response = {
        "Status": "FAILED" if failed else "SUCCESS",
        "Reason": "the widget factory is closed" if failed else "",
        "PhysicalResourceId": event.get("PhysicalResourceId") or "widget-" + event["LogicalResourceId"],
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
        "Data": {"Greeting": "hello " + event["ResourceProperties"].get("Name", ""), "Seen": event["RequestType"]},
    }
    request = urllib.request.Request(event["ResponseURL"], data=json.dumps(response).encode(), method="PUT",
                                     headers={"Content-Type": ""})
    urllib.request.urlopen(request, timeout=10)
'''

_TEMPLATE = {
    "Parameters": {"FunctionName": {"Type": "String"}, "Mode": {"Type": "String", "Default": "succeed"},
                   "Name": {"Type": "String", "Default": "world"}},
    "Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                    "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
        "Provider": {"Type": "AWS::Lambda::Function", "Properties": {
            "FunctionName": {"Ref": "FunctionName"}, "Runtime": "python3.12", "Handler": "index.handler",
            "Timeout": 30, "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": CUSTOM_RESOURCE_CODE}}},
        "Widget": {"Type": "Custom::Widget", "Properties": {
            "ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]}, "Mode": {"Ref": "Mode"}, "Name": {"Ref": "Name"},
            "ServiceTimeout": 5}},
        "Shelf": {"Type": "AWS::S3::Bucket", "DependsOn": "Widget"},
    },
    "Outputs": {
        "Greeting": {"Value": {"Fn::GetAtt": ["Widget", "Greeting"]}},
        "Seen": {"Value": {"Fn::GetAtt": ["Widget", "Seen"]}},
        "WidgetId": {"Value": {"Ref": "Widget"}},
    },
}


def custom_resource_template() -> dict:
    return copy.deepcopy(_TEMPLATE)


# As CDK's Node provider framework answers: Node's `https` module, the URL's hostname and path, no port (so 443).
NODE_CUSTOM_RESOURCE_CODE = '''
const https = require("https");
const url = require("url");
exports.handler = async (event) => {
  const parsed = url.parse(event.ResponseURL);
  const body = JSON.stringify({Status: "SUCCESS", PhysicalResourceId: "node-widget", StackId: event.StackId,
    RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, Data: {Greeting: "hello from node", Seen: event.RequestType}});
  await new Promise((resolve, reject) => {
    const request = https.request({hostname: parsed.hostname, path: parsed.path, method: "PUT",
      headers: {"content-type": "", "content-length": Buffer.byteLength(body, "utf8")}},
      (response) => { response.resume(); response.statusCode < 400 ? resolve() : reject(new Error("HTTP " + response.statusCode)); });
    request.on("error", reject);
    request.write(body);
    request.end();
  });
};
'''


def node_custom_resource_template() -> dict:
    template = custom_resource_template()
    template["Resources"]["Provider"]["Properties"].update(
        Runtime="nodejs20.x", Code={"ZipFile": NODE_CUSTOM_RESOURCE_CODE})
    return template
