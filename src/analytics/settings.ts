import type { LoadedConfig } from '../config/load.js';
import type { FactSettings } from '../core/analytics.js';
import type { WeeklyReportConfig } from '../config/schema.js';

/** A team's analytics zone: its own (`analytics.teams.<id>.timeZone`), else the config's. */
export function teamTimeZone(config: LoadedConfig, team: string | undefined): string {
  return (team && config.analytics.teams[team]?.timeZone) || config.timeZone;
}

export function factSettings(config: LoadedConfig): (team: string) => FactSettings {
  return (team) => ({ timeZone: teamTimeZone(config, team), workingHours: config.analytics.workingHours });
}

/** The weekly report settings of a team: the defaults, overridden by the team's own. */
export function weeklyReportOf(config: LoadedConfig, team: string): WeeklyReportConfig {
  const own = config.analytics.teams[team]?.weeklyReport ?? {};
  return { ...config.analytics.weeklyReport, ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)) };
}
