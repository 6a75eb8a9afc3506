import type { Locale } from './card.js';
import { DESCRIPTIONS, FORMS, textsOf } from './command-texts.js';
import { COMMAND_NAMES, type CommandName } from './command-grammar.js';
import { isOtherCommand, OTHER_COMMANDS, OTHER_HELP, type OtherCommand } from './other-commands.js';

/** One usage line, the locale's verbs first: `用法：认领 <编号>（claim <id>）`. */
export function usage(name: CommandName | OtherCommand, locale: Locale): string {
  const t = textsOf(locale);
  if (isOtherCommand(name)) return OTHER_HELP[name].map((h) => (locale === 'en' ? t.usage(h.form.en, h.form.zh) : t.usage(h.form.zh, h.form.en))).join('\n');
  const f = FORMS[name];
  const line = locale === 'en' ? t.usage(f.en, f.zh) : t.usage(f.zh, f.en);
  return name === 'mute' || name === 'cover' ? line + t.muteExamples : line;
}

/** A heading line, then every command on its own line. */
export function helpText(locale: Locale): string {
  const t = textsOf(locale);
  const lines = COMMAND_NAMES.map((name) => {
    const f = FORMS[name];
    const d = DESCRIPTIONS[name];
    return locale === 'en' ? t.help(f.en, f.zh, d.en) : t.help(f.zh, f.en, d.zh);
  });
  const others = OTHER_COMMANDS.flatMap((name) =>
    OTHER_HELP[name].map((h) => (locale === 'en' ? t.help(h.form.en, h.form.zh, h.what.en) : t.help(h.form.zh, h.form.en, h.what.zh))),
  );
  return [t.heading, ...lines, ...others].join('\n');
}

/** The first lines of the help (heading and the everyday commands) and where to find the rest. */
export function shortHelp(locale: Locale): string {
  const t = textsOf(locale);
  return [...helpText(locale).split('\n').slice(0, 4), t.more].join('\n');
}
