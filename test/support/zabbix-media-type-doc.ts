import { readFileSync } from 'node:fs';

/**
 * The media type exactly as docs/zabbix-media-type.md tells a user to create it: the script is
 * the doc's JavaScript block, the parameters are the rows of its table (macro values as written,
 * `URL` and `key` filled in as a user would). Reading the doc itself keeps doc and test in step.
 */
export interface DocMediaType {
  script: string;
  parameters: Array<{ name: string; value: string }>;
}

export function mediaTypeFromDoc(dutybotWebhookUrl: string, key: string, path = 'docs/zabbix-media-type.md'): DocMediaType {
  const doc = readFileSync(path, 'utf8');
  const script = /### Script\s+```javascript\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!script) throw new Error(`${path}: no javascript block under "### Script"`);
  const table = /### Parameters\s+([\s\S]*?)\n\n/.exec(doc)?.[1] ?? '';
  const parameters: DocMediaType['parameters'] = [];
  for (const row of table.split('\n').slice(2)) {
    const [name, value] = row.split('|').slice(1, 3).map((c) => c.trim());
    const bare = (s: string | undefined) => /^`([^`]+)`$/.exec(s ?? '')?.[1];
    const paramName = bare(name);
    if (!paramName) continue;
    if (paramName === 'URL') parameters.push({ name: 'URL', value: dutybotWebhookUrl });
    else if (paramName === 'key') parameters.push({ name: 'key', value: key });
    else if (bare(value)) parameters.push({ name: paramName, value: bare(value)! });
    // Rows whose value is only an example (HTTPProxy: "e.g. …") are optional and left out.
  }
  return { script, parameters };
}
