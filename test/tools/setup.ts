import { ALERTMANAGER_BIN } from './support/prometheus.js';
import { toolVersion } from './support/tool-process.js';

/** Says which tool versions the suite ran against, and how long the whole suite took. */
export default function setup(): () => void {
  const started = Date.now();
  process.stdout.write(`[e2e] ${toolVersion('prometheus')}\n[e2e] ${toolVersion(ALERTMANAGER_BIN)}\n`);
  return () => {
    process.stdout.write(`[e2e] suite took ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  };
}
