import { Router } from 'express';
import { stringify } from 'yaml';
import { maskSecrets } from '../config/mask.js';
import { HttpError } from '../http/errors.js';
import type { Runtime } from '../runtime.js';
import { viewerOf } from './security.js';

/**
 * The configuration dutybot runs with (the file as loaded, with every default filled in), secrets
 * masked (src/config/mask.ts), for admins. Even masked it maps the organisation, so members get 403.
 */
export function consoleConfigApi(rt: Pick<Runtime, 'config'>): Router {
  const router = Router();
  router.get('/console/api/config', (_req, res) => {
    if (viewerOf(res).role !== 'admin') throw new HttpError(403, 'only an admin may see the configuration', 'forbidden');
    const config = maskSecrets(rt.config) as Record<string, unknown>;
    res.set('Cache-Control', 'no-store').json({ config, yaml: stringify(config, { lineWidth: 0 }) });
  });
  return router;
}
