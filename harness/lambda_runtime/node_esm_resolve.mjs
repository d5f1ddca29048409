// ES module resolve hook of the harness's Node.js bootstrap. Node's ESM resolver ignores NODE_PATH; AWS's nodejs
// runtimes still let an ES module handler import the runtime's AWS SDK and its layers' packages (behaviour.md
// "Lambda runtime": each runtime ships its SDK). A bare specifier not found from the importing file is looked up
// in each NODE_PATH node_modules directory, in order, with Node's own resolver (so "exports" conditions apply).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const searchRoots = (process.env.NODE_PATH || '')
  .split(path.delimiter)
  .filter((dir) => path.basename(dir) === 'node_modules')
  .map((dir) => pathToFileURL(path.join(path.dirname(dir), 'noop.mjs')).href);

function isBare(specifier) {
  return !(specifier.startsWith('.') || specifier.startsWith('/') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier));
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !isBare(specifier)) throw error;
    for (const parentURL of searchRoots) {
      try {
        return await nextResolve(specifier, { ...context, parentURL });
      } catch (inner) {
        if (inner?.code !== 'ERR_MODULE_NOT_FOUND') throw inner;
      }
    }
    throw error;
  }
}
