import { Construct } from "constructs";

/** A context value the app cannot do without: a clear error naming it, never an undefined in a template. */
export function required(scope: Construct, key: string): string {
  const value = scope.node.tryGetContext(key);
  if (value === undefined || value === null || value === "") {
    throw new Error(`context value "${key}" is required: pass -c ${key}=... (or set it in cdk.json)`);
  }
  return String(value);
}

export function optional(scope: Construct, key: string): string | undefined {
  const value = scope.node.tryGetContext(key);
  return value === undefined || value === null || value === "" ? undefined : String(value);
}
