import mongoose, { type Connection } from 'mongoose';
import type { Db } from 'mongodb';
import type { Logger } from '../log.js';
import { migrate } from './migrate.js';
import { registerModels, type Models } from './models.js';

export interface Database {
  conn: Connection;
  db: Db;
  models: Models;
  /** The server is FerretDB (its `buildInfo` says so): see docs/decisions/0003 and 0004. */
  ferretdb: boolean;
  close(): Promise<void>;
}

/**
 * Opens the one connection pool dutybot uses (mongoose, Agenda and the migrations share it)
 * and applies pending migrations. Fails fast when the server does not answer, so a wrong
 * MONGODB_URI is a clear start-up error rather than a hang.
 */
export async function openDatabase(uri: string, log?: Logger): Promise<Database> {
  const conn = mongoose.createConnection(uri, {
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: 5000,
    maxPoolSize: 32,
  });
  await conn.asPromise();
  const db = conn.db;
  if (!db) throw new Error('database connection has no Db');
  const models = registerModels(conn);
  await migrate(db, log);
  const info = (await db.admin().command({ buildInfo: 1 })) as { ferretdbVersion?: string; version?: string };
  const ferretdb = typeof info.ferretdbVersion === 'string';
  log?.info({ server: ferretdb ? `FerretDB ${info.ferretdbVersion}` : `MongoDB ${info.version}` }, 'database server');
  return { conn, db, models, ferretdb, close: () => conn.close() };
}
