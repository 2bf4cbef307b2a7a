/**
 * A committed file must not hold a secret's value. `secrets` holds references (a Secrets Manager name or
 * ARN, an SSM parameter); a value that cannot be one, or that has the shape of a credential (a provider's
 * token prefix, a private key, a long random string), is refused. `env` is for plain settings: a key named
 * like a secret (API_KEY, TOKEN, …) with a value that is not a URL is refused too, and sent to `secrets`.
 */
import { SECRET_LOOKING_KEY } from '../../stack/settings.js';

/** Prefixes and shapes of well-known credentials. */
const CREDENTIAL =
  /^(sk|pk|rk)[-_](live|test|proj|ant)?|^(ghp|gho|ghs|ghu|github_pat|glpat|xox[abprs]|npm|hf|AIza|AKIA|ASIA)[-_A-Za-z0-9]|^eyJ[A-Za-z0-9_-]{10,}\.|-----BEGIN /;
/** What a Secrets Manager name, an ARN or an SSM parameter can be made of. */
const REFERENCE = /^(arn:|ssm:|\/)?[A-Za-z0-9/_+=.@:-]+(#[^\s#]+)?$/;

/** Mixed case and digits in a long run without a path: a generated value, not a name a person gives a secret. */
function looksRandom(value: string): boolean {
  if (value.length < 24 || value.includes('/') || value.startsWith('arn:')) return false;
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value);
}

/** Why `value` may not stand in the file under `key` (`env` or `secrets`); undefined when it may. */
export function secretValueProblem(key: string, value: string, kind: 'env' | 'secrets'): string | undefined {
  const name = key.slice(key.indexOf(':') + 1);
  if (kind === 'env') {
    if (value === '' || !SECRET_LOOKING_KEY.test(name) || /^https?:\/\//.test(value)) {
      return CREDENTIAL.test(value)
        ? `${key} looks like a secret's value; a committed file holds references only: put it in Secrets Manager and name it under "secrets".`
        : undefined;
    }
    return `${key} is named like a secret: a committed file holds no secret's value. Store it in Secrets Manager (aws secretsmanager create-secret --name <name> --secret-string …) and put "${key}": "<name>" under "secrets".`;
  }
  if (!REFERENCE.test(value) || CREDENTIAL.test(value) || looksRandom(value)) {
    return `${key} must be a reference (a Secrets Manager name or ARN, or an SSM parameter /path), not the secret's value: store the value in Secrets Manager (aws secretsmanager create-secret --name <name> --secret-string …) and write "${key}": "<name>".`;
  }
  return undefined;
}
