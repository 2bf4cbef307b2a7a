/**
 * The one module that asks the user things. When the session is not interactive (no TTY, or CI), a
 * question is never asked: it fails and names the flag that answers it (main applies `--yes` to `confirm`).
 */
import { AbortError, UserError } from './errors.js';

export interface Prompter {
  /**
   * Asks a yes/no question; `--yes` answers yes without asking, unless the question has a `flag` of its
   * own (one that should never be answered by a blanket yes): then only that flag answers it.
   */
  confirm(message: string, options?: { readonly default?: boolean; readonly flag?: string }): Promise<boolean>;
  /** Asks for text; `flag` names the option that gives it when not interactive. */
  input(
    message: string,
    options: { readonly flag: string; readonly validate?: (value: string) => string | true },
  ): Promise<string>;
  /** Asks for a secret without echoing it. */
  password(
    message: string,
    options: { readonly flag: string; readonly validate?: (value: string) => string | true },
  ): Promise<string>;
}

export interface PrompterSettings {
  readonly interactive: boolean;
}

function notInteractive(message: string, flag: string): never {
  throw new UserError(`${message.replace(/:$/, '')}: this needs an answer, and the session is not interactive.`, {
    hint: `Run it in a terminal, or pass ${flag}.`,
  });
}

async function ask<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new AbortError('Cancelled.');
    throw error;
  }
}

export function createPrompter(settings: PrompterSettings): Prompter {
  return {
    async input(message, options) {
      if (!settings.interactive) notInteractive(message, options.flag);
      const { input } = await import('@inquirer/prompts');
      return ask(() => input({ message, ...(options.validate && { validate: options.validate }) }, { output: process.stderr }));
    },
    async password(message, options) {
      if (!settings.interactive) notInteractive(message, options.flag);
      const { password } = await import('@inquirer/prompts');
      return ask(() =>
        password({ message, mask: '*', ...(options.validate && { validate: options.validate }) }, { output: process.stderr }),
      );
    },
    async confirm(message, options = {}) {
      if (!settings.interactive) {
        throw new UserError(`${message} (this needs an answer, and the session is not interactive)`, {
          hint: `Run it in a terminal, or pass ${options.flag ?? '--yes'} to answer yes.`,
        });
      }
      const { confirm } = await import('@inquirer/prompts');
      return ask(() => confirm({ message, default: options.default ?? false }, { output: process.stderr }));
    },
  };
}
