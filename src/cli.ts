import { runCli } from './routes-cli.js';

/** `dutybot routes test <payload.json>` (see src/routes-cli.ts). */
runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`dutybot: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
