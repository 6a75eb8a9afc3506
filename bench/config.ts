/** The benchmark's organisation: one api and one alertmanager integration, one team, one member. */
export const BENCH_KEYS = { api: 'bench-api-key-0123456789abcdef', alertmanager: 'bench-am-key-0123456789abcdef' } as const;

export function benchConfigInput() {
  return {
    locale: 'en' as const,
    integrations: [
      { name: 'bench-api', type: 'api', key: BENCH_KEYS.api, team: 'bench' },
      { name: 'bench-am', type: 'alertmanager', key: BENCH_KEYS.alertmanager, team: 'bench' },
    ],
    members: [{ id: 'bencher', name: 'Bench Member', apiToken: 'bench-token-0123456789abcdef' }],
    teams: [{ id: 'bench', name: 'Bench team', members: ['bencher'] }],
  };
}
