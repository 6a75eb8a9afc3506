import { Agenda, InMemoryNotificationChannel } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from 'mongodb';
import type { Logger } from '../log.js';

/**
 * Agenda on the same `Db` as mongoose (one pool). Agenda only wakes work up: the truth lives on
 * documents, and every job is safe to run twice (a job whose lock expired runs again).
 *
 * The in-memory notification channel makes a job saved by this process run at its exact time
 * without a tight poll; the change-stream channel would need a replica set, which FerretDB is not.
 */
export async function startAgenda(db: Db, log: Logger, processEvery: number | string = '30 seconds'): Promise<Agenda> {
  const agenda = new Agenda({
    backend: new MongoBackend({ mongo: db }),
    notificationChannel: new InMemoryNotificationChannel(),
    processEvery,
    defaultLockLifetime: 5 * 60_000,
  });
  agenda.on('error', (err: unknown) => log.error({ err }, 'agenda error'));
  agenda.on('fail', (err: unknown, job: { attrs: { name: string } }) => log.warn({ err, job: job.attrs.name }, 'job failed'));
  await agenda.ready;
  return agenda;
}
