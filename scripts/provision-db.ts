import { spawnSync } from 'node:child_process';
import { ensureFerretdb } from '../src/store/provision.js';

/**
 * Prepares the local database once (`npm run db:provision`): nothing to do with MONGODB_URI or a
 * mongod on PATH; otherwise builds FerretDB into ./.bin so the first test run does not.
 */
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
if (process.env.MONGODB_URI) console.log('database: MONGODB_URI is set; nothing to provision');
else if (has('mongod')) console.log('database: mongod found on PATH; nothing to provision');
else if (has('go')) console.log(`database: FerretDB ready at ${ensureFerretdb()}`);
else console.log('database: no MONGODB_URI, mongod or Go; tests will try mongodb-memory-server');
