import type { FeishuMessage } from '../fakes/feishu-server.js';
import { eventually } from './wait.js';

/**
 * Reading dutybot's Feishu cards (card JSON 1.0, adapters/feishu/render.ts) as a person in the
 * group sees them: the buttons and menus of its `action` rows, and what each sends back.
 */
export interface CardControl {
  tag: string;
  value: { action: string; alertId?: string; value?: string };
  options?: Array<{ text: { content: string }; value: string }>;
  confirm?: { title: { content: string }; text: { content: string } };
  text?: { content: string };
}

/** Every button and menu on a card, in order (the actions row, then the remediation row). */
export const controls = (m: Pick<FeishuMessage, 'content'>): CardControl[] =>
  ((m.content.elements ?? []) as Array<{ tag: string; actions?: CardControl[] }>).flatMap((e) => (e.tag === 'action' ? (e.actions ?? []) : []));

/** Kept under its first name: the claim scenarios read "buttons". */
export const buttons = controls;

/** The button or menu for an action (`claim`, `mute`, `run`…), if the card offers it now. */
export const control = (m: Pick<FeishuMessage, 'content'>, action: string, value?: string): CardControl | undefined =>
  controls(m).find((c) => c.value.action === action && (value === undefined || c.value.value === value));

/** The card's status line (the first div: `**已认领 · 张三 · 17:02**`). */
export const statusOf = (m: Pick<FeishuMessage, 'content'>): string =>
  String(((m.content.elements ?? []) as Array<{ text?: { content?: string } }>)[0]?.text?.content ?? '');

/** Polls a synchronous probe (a fake's record of what arrived) until it gives a value. */
export const waitFor = <T>(probe: () => T | undefined, timeoutMs = 5_000): Promise<T> => eventually(probe, timeoutMs, 'a message at the fake');
