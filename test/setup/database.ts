import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { provisionDatabase } from '../../src/store/provision.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    databaseKind: string;
  }
}

/**
 * One real MongoDB-protocol server for the whole run (MONGODB_URI, mongod, or FerretDB here);
 * each test file then uses a fresh database on it (test/support/database.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = resolve('.test-db');
  mkdirSync(root, { recursive: true });
  const dataDir = mkdtempSync(join(root, 'run-'));
  const db = await provisionDatabase({ dataDir });
  process.stdout.write(`[test database] ${db.kind} at ${db.uri}\n`);
  project.provide('mongoUri', db.uri);
  project.provide('databaseKind', db.kind);
  return async () => {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
