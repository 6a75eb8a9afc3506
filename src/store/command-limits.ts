import type { AnyBulkWriteOperation, Document } from 'mongodb';

/**
 * What one write command may carry so that FerretDB 1.24 answers it (docs/decisions/0018).
 *
 * Updates: FerretDB's `update` handler keeps every statement's cursor open until the whole
 * command ends (`defer closer.Close()` inside its loop over statements, handler/msg_update.go),
 * and its SQLite pool has 100 connections (`SetMaxOpenConns(100)`): a command of 100 statements
 * or more waits forever for a 101st, and from then on the server answers nothing at all. 50 leaves
 * room for the reads that run beside the one write command the gate lets through.
 * Deletes close each cursor as they go, but cost the same per statement: same bound.
 * Inserts are one statement of many documents; the bound keeps one command's SQLite transaction
 * (and the time every other writer waits behind it) short.
 */
export const COMMAND_LIMITS = { statements: 50, documents: 500 } as const;

/** A slice of a bulk write that goes as its own commands; `start` is its first op's index. */
export interface CommandChunk<T extends Document> {
  start: number;
  ops: AnyBulkWriteOperation<T>[];
}

/**
 * Cuts a bulk write into consecutive chunks, each within COMMAND_LIMITS: at most `statements`
 * updates, replaces and deletes together, and at most `documents` inserts. An unordered bulk
 * write of one chunk becomes at most one insert, one update and one delete command.
 */
export function splitCommands<T extends Document>(ops: readonly AnyBulkWriteOperation<T>[], limits = COMMAND_LIMITS): CommandChunk<T>[] {
  const chunks: CommandChunk<T>[] = [];
  let current: CommandChunk<T> | undefined;
  let statements = 0;
  let documents = 0;
  ops.forEach((op, i) => {
    const insert = 'insertOne' in op;
    if (!current || (insert ? documents === limits.documents : statements === limits.statements)) {
      current = { start: i, ops: [] };
      chunks.push(current);
      statements = documents = 0;
    }
    current.ops.push(op);
    if (insert) documents++;
    else statements++;
  });
  return chunks;
}
