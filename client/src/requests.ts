// What the views say when a request to the server fails.
import { ErrorCodes, ResponseError } from 'vscode-languageclient/node';

/** Thrown by the request helpers while no server runs; the message says why. */
export class ServerNotRunning extends Error {}

export function describeRequestError(method: string, error: unknown): string {
  if (error instanceof ServerNotRunning) return error.message;
  if (error instanceof ResponseError) {
    // The server may be older than this client: say so instead of showing a raw protocol error.
    if (error.code === ErrorCodes.MethodNotFound) return `The Clysm server does not answer ${method} yet (${error.message}).`;
    if (error.code === ErrorCodes.ConnectionInactive || error.code === ErrorCodes.PendingResponseRejected) return 'The Clysm server is not running.';
    return `${method} failed: ${error.message}`;
  }
  return `${method} failed: ${error instanceof Error ? error.message : String(error)}`;
}
