import type { Collection, Document } from 'mongodb';

/**
 * How the server plans a lookup by `_id`. On FerretDB the `explain` answer carries SQLite's own
 * EXPLAIN QUERY PLAN (`SEARCH … USING INDEX …` or `SCAN …`); the same `_id` expression serves
 * finds, updates and deletes (docs/decisions/0006). On MongoDB it is the winning plan's stage.
 */
export async function idLookupPlan(collection: Collection<Document>, id: unknown): Promise<string> {
  const explained = (await collection.find({ _id: id } as Document).explain()) as {
    queryPlanner?: { Plan?: string[]; winningPlan?: unknown };
  };
  const plan = explained.queryPlanner?.Plan ?? [JSON.stringify(explained.queryPlanner?.winningPlan ?? explained)];
  return plan.join('\n');
}

/** True when the plan reads through an index rather than the whole collection. */
export function usesIndex(plan: string): boolean {
  return !/COLLSCAN|detail=SCAN /.test(plan) && /SEARCH \S+ USING INDEX|IDHACK|IXSCAN/.test(plan);
}
