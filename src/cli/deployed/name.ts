import { StackPropsError, stackNameFor } from '../../stack/names.js';
import { UsageError } from '../terminal/errors.js';

/** The stack a command works on, from `--name`/`--stack-name`; a bad value is a usage error naming it. */
export function cliStackName(selector: { readonly name?: string | undefined; readonly stackName?: string | undefined }): string {
  try {
    return stackNameFor(selector.name, selector.stackName);
  } catch (error) {
    if (error instanceof StackPropsError) throw new UsageError(error.message);
    throw error;
  }
}

/** The flags that selected the stack, for a hint's command line: ` --name X`, ` --stack-name Y` or nothing. */
export function selectorFlags(selector: { readonly name?: string | undefined; readonly stackName?: string | undefined }): string {
  if (selector.name) return ` --name ${selector.name}`;
  return selector.stackName ? ` --stack-name ${selector.stackName}` : '';
}
