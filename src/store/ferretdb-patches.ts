import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The one change we make to FerretDB v1.24.2's source before building it (docs/decisions/0006).
 *
 * FerretDB creates every collection's `_id` index on `_ferretdb_sjson->"_id"` (metadata/registry.go)
 * but filters finds, updates and deletes by `_id` on `_ferretdb_sjson->'$._id'` (metadata.go
 * `IDColumn`). Both extract the same JSON value, but SQLite only uses an expression index for the
 * very same expression, so every lookup by `_id` scanned the table. Writing `IDColumn` as the
 * index's own expression makes every `_id` lookup an index search — in every table that already
 * exists too, because each one was created with that index: old data directories need no step.
 */
export const FERRETDB_PATCH_TAG = 'id-index';

interface SourcePatch {
  file: string;
  from: string;
  to: string;
}

const patches: SourcePatch[] = [
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + "->\\"_id\\""`,
  },
];

/** Applies the patches to a writable copy of the module; fails loudly when the text is not there. */
export function applyFerretdbPatches(srcDir: string): void {
  for (const p of patches) {
    const path = join(srcDir, p.file);
    const text = readFileSync(path, 'utf8');
    const at = text.indexOf(p.from);
    if (at < 0 || text.indexOf(p.from, at + 1) >= 0) {
      throw new Error(`FerretDB patch "${FERRETDB_PATCH_TAG}": expected exactly one \`${p.from}\` in ${p.file}; the pinned source changed`);
    }
    writeFileSync(path, text.replace(p.from, p.to));
  }
}
