import type { AnyBulkWriteOperation } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { COMMAND_LIMITS, splitCommands } from '../../../src/store/command-limits.js';

type Doc = { _id: number };
const insert = (i: number): AnyBulkWriteOperation<Doc> => ({ insertOne: { document: { _id: i } } });
const update = (i: number): AnyBulkWriteOperation<Doc> => ({ updateOne: { filter: { _id: i }, update: { $set: { n: 1 } } } });
const del = (i: number): AnyBulkWriteOperation<Doc> => ({ deleteOne: { filter: { _id: i } } });
const replace = (i: number): AnyBulkWriteOperation<Doc> => ({ replaceOne: { filter: { _id: i }, replacement: { _id: i } } });

/** A random mix of every kind of operation, deterministic per seed. */
function mix(n: number, seed: number): AnyBulkWriteOperation<Doc>[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => [insert, update, del, replace][Math.floor(next() * 4)]!(i));
}

describe('cutting a bulk write into commands FerretDB answers', () => {
  it('never puts more than 50 updates, replaces and deletes, or 500 inserts, in one command', () => {
    for (const [n, seed] of [[0, 1], [1, 2], [49, 3], [50, 4], [51, 5], [100, 6], [2000, 7], [5000, 8]] as const) {
      for (const chunk of splitCommands(mix(n, seed))) {
        const inserts = chunk.ops.filter((o) => 'insertOne' in o).length;
        expect(chunk.ops.length - inserts).toBeLessThanOrEqual(COMMAND_LIMITS.statements);
        expect(inserts).toBeLessThanOrEqual(COMMAND_LIMITS.documents);
      }
    }
  });

  it('keeps every operation once, in order, and says where each chunk starts', () => {
    const ops = mix(2000, 9);
    const chunks = splitCommands(ops);
    expect(chunks.flatMap((c) => c.ops)).toEqual(ops);
    for (const c of chunks) expect(ops[c.start]).toBe(c.ops[0]);
  });

  it('100 updates (the command FerretDB 1.24 never answers) go as two commands of 50', () => {
    const chunks = splitCommands(Array.from({ length: 100 }, (_, i) => update(i)));
    expect(chunks.map((c) => c.ops.length)).toEqual([50, 50]);
  });

  it('inserts ride along with updates up to their own limit', () => {
    const ops = [...Array.from({ length: 600 }, (_, i) => insert(i)), ...Array.from({ length: 60 }, (_, i) => update(i))];
    expect(splitCommands(ops).map((c) => c.ops.length)).toEqual([500, 100 + 50, 10]);
  });
});
