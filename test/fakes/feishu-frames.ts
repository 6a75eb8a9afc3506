// The SDK registers its bundled protobuf definitions (`pbbp2.Frame`, `pbbp2.Header`) on
// protobufjs's default root when it loads: importing it first makes them ours too, so the fake
// speaks exactly the SDK's wire format rather than a copy of it.
import '@larksuiteoapi/node-sdk';
import protobuf from 'protobufjs/minimal.js';

/**
 * Frames of Feishu's long connection, as the SDK's WSClient reads and writes them: protobuf
 * `pbbp2.Frame {SeqID, LogID, service, method, headers[{key, value}], payload}`. `method` 0 is a
 * control frame (ping/pong), 1 a data frame (an event or card callback, maybe in fragments:
 * headers `sum` and `seq`); headers `type`, `message_id`, `trace_id`.
 */
export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number;
  headers: Array<{ key: string; value: string }>;
  payload?: Uint8Array;
}

interface FrameCodec {
  encode(frame: Frame): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Frame;
}

const roots = (protobuf as unknown as { roots: Record<string, { pbbp2?: { Frame: FrameCodec } }> }).roots;
const codec = roots['default']?.pbbp2?.Frame;
if (!codec) throw new Error('the Feishu SDK did not register pbbp2.Frame on protobufjs (has its bundle changed?)');

export const FRAME_CONTROL = 0;
export const FRAME_DATA = 1;

export const encodeFrame = (frame: Frame): Buffer => Buffer.from(codec.encode(frame).finish());
export const decodeFrame = (bytes: Uint8Array): Frame => codec.decode(bytes);

export const header = (frame: Frame, key: string): string | undefined => frame.headers.find((h) => h.key === key)?.value;
