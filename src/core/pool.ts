/** Runs `work` over `items`, at most `n` at a time (bounded fan-out of by-`_id` reads and sends). */
export async function pool<T>(items: readonly T[], n: number, work: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  const lanes = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await work(items[i++]!);
  });
  await Promise.all(lanes);
}
