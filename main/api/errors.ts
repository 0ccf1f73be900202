/**
 * Errors the API raises itself, and the one mapping from any thrown error to the ApiError value that crosses
 * the wire. Store errors keep their names and say which table or field they concern; anything unexpected
 * becomes an InternalError whose message is kept (the user sees it), with the stack left in the main log.
 */
import { NoFacesToGroupError } from '../people/clusterLibrary.ts';
import { DecisionError } from '../people/decisions.ts';
import type { ApiError } from './contract.ts';
import { ValidationError } from './schema.ts';
import {
  ConflictError, InvalidValueError, MergeConflictError, NotFoundError, ProtectedDataError, StoreError,
} from '../store/index.ts';

/** A long job is already running (a scan), or a model is busy: try again later. */
export class BusyError extends Error {
  override readonly name = 'BusyError';
}

/** The method name is not part of the contract. */
export class UnknownMethodError extends Error {
  override readonly name = 'UnknownMethodError';
  constructor(readonly method: string) {
    super(`unknown API method ${JSON.stringify(method.slice(0, 100))}`);
  }
}

/** A request that is well-formed but names something unusable: a face with no embedding, a folder that is a file. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ValidationError || error instanceof RequestError) {
    return { name: error.name, message: error.message, field: error.field };
  }
  if (error instanceof DecisionError) return { name: 'RequestError', message: error.message, field: error.field };
  if (error instanceof NoFacesToGroupError) return { name: 'RequestError', message: `library: ${error.message}`, field: 'library' };
  if (error instanceof NotFoundError) return { name: error.name, message: error.message, field: error.table };
  if (error instanceof ConflictError) return { name: error.name, message: error.message, field: `${error.table}.${error.field}` };
  if (error instanceof InvalidValueError) return { name: 'ValidationError', message: error.message, field: error.field };
  if (error instanceof ProtectedDataError) return { name: error.name, message: error.message, field: error.table };
  if (error instanceof MergeConflictError) return { name: error.name, message: error.message, field: 'faceIds', faceIds: [...error.faceIds] };
  if (error instanceof StoreError || error instanceof BusyError || error instanceof UnknownMethodError) {
    return { name: error.name, message: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'InternalError', message };
}
