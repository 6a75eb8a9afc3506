import { connect } from 'node:net';

/**
 * Sends values to Zabbix trapper items as `zabbix_sender` does: the ZBXD protocol (header
 * `ZBXD\x01`, little-endian 8-byte length, JSON) to the server's trapper port. Returns Zabbix's
 * answer, e.g. `processed: 1; failed: 0; total: 1; seconds spent: 0.000045`.
 */
export async function zabbixSend(port: number, values: Array<{ host: string; key: string; value: string }>): Promise<string> {
  const json = Buffer.from(JSON.stringify({ request: 'sender data', data: values }), 'utf8');
  const header = Buffer.alloc(13);
  header.write('ZBXD\x01', 0, 'latin1');
  header.writeUInt32LE(json.length, 5);
  header.writeUInt32LE(0, 9);
  return new Promise((ok, fail) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('zabbix trapper timed out')));
    socket.on('connect', () => socket.write(Buffer.concat([header, json])));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', fail);
    socket.on('end', () => {
      const all = Buffer.concat(chunks);
      try {
        const answer = JSON.parse(all.subarray(13).toString('utf8')) as { response: string; info?: string };
        ok(answer.info ?? answer.response);
      } catch {
        fail(new Error(`unexpected trapper answer: ${all.toString('latin1')}`));
      }
    });
  });
}
