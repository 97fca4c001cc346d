import type { ListOptions, Tags } from '../ports.js';
import { CloudError } from '../ports.js';

/** Codes AWS uses for "slow down": retrying after a backoff is the right answer. */
const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);
const TRANSIENT = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'RequestTimeout', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'TimeoutError']);

/**
 * Errors from the network below HTTP: no answer came, so nothing was decided
 * and trying again later may work. Node's errno codes, plus the SDK's own
 * name for its connect/idle timeouts.
 */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPROTO',
  'TimeoutError',
]);

interface SdkErrorShape {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/**
 * Normalizes whatever the SDK threw into a CloudError whose code is the AWS
 * error code (ServiceException.name), so core code can branch on
 * `InvalidSnapshot.InUse` or `NoSuchKey` without knowing the SDK. Aborts pass
 * through untouched: cancelling is not a cloud failure.
 */
export function toCloudError(e: unknown, action: string): unknown {
  if (e instanceof CloudError) return e;
  if (typeof e !== 'object' || e === null) return new CloudError('Unknown', `${action}: ${String(e)}`);
  const err = e as SdkErrorShape;
  if (err.name === 'AbortError') return e;
  // The SDK puts $metadata on network failures too; only an answer from the service has a status or a fault.
  const isService = err.$fault !== undefined || err.$metadata?.httpStatusCode !== undefined;
  const netCode = !isService ? [err.code, err.name].find((c): c is string => c !== undefined && NETWORK_CODES.has(c)) : undefined;
  if (netCode !== undefined) {
    const text = err.message ?? netCode;
    const what = netCode === 'TimeoutError' ? 'ETIMEDOUT' : netCode;
    return new CloudError(what, `${action}: ${text.includes(what) ? text : `${text} (${what})`}`, { retryable: what !== 'ENOTFOUND', cause: e });
  }
  // Client-side setup failures: say what to do, not how the SDK spells it.
  if (!isService && /region is missing/i.test(err.message ?? '')) {
    return new CloudError('RegionMissing', `${action}: no AWS region: pass --region, set aws.region in the config or AWS_REGION`, { cause: e });
  }
  if (err.name === 'CredentialsProviderError') {
    return new CloudError(
      'CredentialsMissing',
      `${action}: no AWS credentials found (${err.message ?? 'provider chain exhausted'}): if a profile is in use (--profile, aws.profile, AWS_PROFILE), check it exists with credentials (aws configure list-profiles; for SSO: aws sso login --profile NAME); otherwise pass --profile, or use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an instance role`,
      { cause: e },
    );
  }
  const code = (isService ? (err.Code ?? err.name) : (err.code ?? err.name)) ?? 'Unknown';
  const status = err.$metadata?.httpStatusCode;
  const retryable =
    Boolean(err.$retryable) || THROTTLING.has(code) || TRANSIENT.has(code) || (status !== undefined && status >= 500);
  const opts: { retryable: boolean; status?: number; cause: unknown } = { retryable, cause: e };
  if (status !== undefined) opts.status = status;
  return new CloudError(code, `${action}: ${err.message ?? code}`, opts);
}

/** Runs one SDK call and maps its failure. */
export async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toCloudError(e, action);
  }
}

/**
 * Follows NextToken-style pagination to the end, reporting each page. `fetch`
 * returns one page's items and the next token (undefined or '' = done).
 */
export async function allPages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
  opts: ListOptions = {},
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    opts.signal?.throwIfAborted();
    const page = await fetch(token);
    out.push(...page.items);
    pages++;
    opts.onPage?.({ pages, items: out.length });
    token = page.next || undefined;
  } while (token !== undefined);
  return out;
}

export function tagMap(tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): Tags {
  const out: Tags = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/** EC2 filters for tag rules: `tag:Key` with the accepted values. */
export function tagFilters(tags: Readonly<Record<string, readonly string[]>> | undefined): { Name: string; Values: string[] }[] {
  return Object.entries(tags ?? {}).map(([k, v]) => ({ Name: `tag:${k}`, Values: [...v] }));
}
