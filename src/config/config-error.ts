/** Start-up stops with this; the message names the path of the wrong value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
