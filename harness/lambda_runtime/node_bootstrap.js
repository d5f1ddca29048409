// Node.js runtime bootstrap for the harness executor: speaks the Lambda Runtime API like AWS's
// nodejs runtimes (behaviour.md "Lambda runtime"): loads `_HANDLER` from LAMBDA_TASK_ROOT, reports
// init failures as Runtime.ImportModuleError / Runtime.HandlerNotFound / Runtime.UserCodeSyntaxError,
// formats console output as `<time>\t<requestId>\t<LEVEL>\t<message>`, supports async and callback handlers.
'use strict';
const http = require('http');
const path = require('path');
const fs = require('fs');
const util = require('util');
const { pathToFileURL } = require('url');

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const PREFIX = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId = undefined;

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      { host: HOST, port: PORT, method, path: PREFIX + urlPath, agent,
        headers: Object.assign(data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}, headers || {}) },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      });
    req.on('socket', (s) => s.setNoDelay(true));
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}\n`);
    };
  }
}

function errorBody(err, typeOverride) {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    errorType: typeOverride || e.name || 'Error',
    errorMessage: e.message,
    trace: (e.stack || '').split('\n'),
  };
}

class InitError extends Error {
  constructor(type, message, cause) { super(message); this.type = type; this.cause = cause; }
}

function resolveModuleFile(taskRoot, moduleName) {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const candidate = path.resolve(taskRoot, moduleName + ext);
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

// Node's own rule: .mjs, or .js whose nearest package.json says "type": "module" (looked up to the task root).
function isEsModule(file, taskRoot) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  for (let dir = path.dirname(file); dir.startsWith(taskRoot); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try { return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module'; } catch (e) { return false; }
    }
    if (dir === taskRoot) break;
  }
  return false;
}

// ES modules import the runtime's SDK and layer packages through NODE_PATH, as on AWS (node_esm_resolve.mjs).
function importEsm(file) {
  require('module').register(pathToFileURL(path.join(__dirname, 'node_esm_resolve.mjs')).href);
  return import(pathToFileURL(file).href);
}

async function loadHandler() {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  const spec = process.env._HANDLER || '';
  const dot = spec.lastIndexOf('.');
  if (dot < 1) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  const moduleName = spec.slice(0, dot);
  const path_ = spec.slice(dot + 1).split('.');
  const file = resolveModuleFile(taskRoot, moduleName);
  if (!file) {
    throw new InitError('Runtime.ImportModuleError',
      `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${__filename}`);
  }
  let mod;
  try {
    if (isEsModule(file, taskRoot)) mod = await importEsm(file);
    else {
      try { mod = require(file); }
      catch (e) { if (e.code === 'ERR_REQUIRE_ESM') mod = await importEsm(file); else throw e; }
    }
  } catch (e) {
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw new InitError('Runtime.ImportModuleError', `${e.name}: ${e.message}`, e);
    }
    if (e instanceof SyntaxError) throw new InitError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`, e);
    throw e;
  }
  let fn = mod;
  for (const part of path_) fn = fn == null ? undefined : fn[part];
  if (typeof fn !== 'function') {
    throw new InitError('Runtime.HandlerNotFound', `${moduleName}.${path_.join('.')} is undefined or not exported`);
  }
  return fn;
}

function invokeHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return; settled = true;
      if (err !== undefined && err !== null) reject(err); else resolve(result);
    };
    context.done = callback;
    context.succeed = (r) => callback(null, r);
    context.fail = (e) => callback(e || new Error('handled'));
    try {
      const ret = handler(event, context, callback);
      if (ret && typeof ret.then === 'function') ret.then((r) => callback(null, r), (e) => callback(e));
      else if (handler.length < 3) callback(null, ret);
    } catch (e) { callback(e); }
  });
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const env = process.env;
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    const body = e instanceof InitError ? { errorType: e.type, errorMessage: e.message, stack: [] } : errorBody(e);
    console.error(`Uncaught Exception \t${JSON.stringify(body)}`);
    await request('POST', '/init/error', JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': body.errorType });
    process.exit(129);
  }
  for (;;) {
    const next = await request('GET', '/invocation/next');
    if (next.status !== 200) process.exit(0);
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'] || '';
    let result;
    try {
      result = await invokeHandler(handler, JSON.parse(next.body), makeContext(next.headers));
    } catch (err) {
      const body = errorBody(err);
      console.error(`Invoke Error \t${JSON.stringify(body)}`);
      await request('POST', `/invocation/${requestId}/error`, JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': body.errorType });
      continue;
    }
    await request('POST', `/invocation/${requestId}/response`, JSON.stringify(result === undefined ? null : result));
  }
}

main().catch((e) => { process.stderr.write(`bootstrap failure: ${e && e.stack}\n`); process.exit(1); });
