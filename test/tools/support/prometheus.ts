import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../../src/store/provision.js';
import { startTool, type ToolProcess } from './tool-process.js';

/**
 * Prometheus and Alertmanager from Debian's packages (scripts/e2e-install.sh), each in a temp
 * directory on a free port of 127.0.0.1. Intervals are seconds, not minutes, so that a firing,
 * a resolution and a missed Watchdog each take seconds.
 */

export const ALERTMANAGER_BIN = 'prometheus-alertmanager'; // Debian's name for `alertmanager`

export interface RunningTool {
  url: string;
  process: ToolProcess;
  /** Stops the process and removes its directory (stopAllTools does too). */
  stop(): Promise<void>;
}

async function runInTempDir(name: string, start: (dir: string, port: number) => Promise<ToolProcess>): Promise<RunningTool> {
  const dir = mkdtempSync(join(tmpdir(), `dutybot-e2e-${name}-`));
  const port = await freePort();
  try {
    const process = await start(dir, port);
    return { url: `http://127.0.0.1:${port}`, process, stop: () => process.stop() };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface PrometheusOptions {
  /** host:port of the exporter to scrape. */
  target: string;
  alertmanagerUrl: string;
  /** The `groups:` of a rule file. */
  ruleGroups: unknown[];
}

export function startPrometheus(opts: PrometheusOptions): Promise<RunningTool> {
  return runInTempDir('prometheus', async (dir, port) => {
    writeFileSync(join(dir, 'rules.yml'), stringify({ groups: opts.ruleGroups }));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [join(dir, 'rules.yml')],
        scrape_configs: [{ job_name: 'e2e', static_configs: [{ targets: [opts.target] }] }],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(opts.alertmanagerUrl).host] }] }] },
      }),
    );
    return startTool({
      name: 'prometheus',
      command: 'prometheus',
      args: [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Firing alerts are re-sent every resend-delay with endsAt = now + 4 × it: 1 s makes a
        // stopped Prometheus's alerts expire in Alertmanager after ~4 s instead of 4 minutes.
        '--rules.alert.resend-delay=1s',
      ],
      readyUrl: `http://127.0.0.1:${port}/-/ready`,
      removeOnStop: [dir],
    });
  });
}

/** Starts Alertmanager with `config` (its YAML as an object). */
export function startAlertmanager(config: unknown): Promise<RunningTool> {
  return runInTempDir('alertmanager', async (dir, port) => {
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
    return startTool({
      name: 'alertmanager',
      command: ALERTMANAGER_BIN,
      args: [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // No cluster: it would listen on 0.0.0.0:9094 and gossip with nobody.
        '--cluster.listen-address=',
      ],
      readyUrl: `http://127.0.0.1:${port}/-/ready`,
      removeOnStop: [dir],
    });
  });
}
