import type { Alert } from '../core/alert.js';
import type { AlertDoc } from './models.js';

/** A stored alert as the domain sees it: `_id` becomes the 24-hex `id`. */
export function toAlert(doc: AlertDoc): Alert {
  const { _id, ...rest } = doc;
  return { ...rest, id: _id.toHexString() };
}
