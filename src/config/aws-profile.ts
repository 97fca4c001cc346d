/**
 * What a named profile in the AWS shared config file says about where to
 * connect: `endpoint_url`, per-service endpoints through a `services`
 * section, and `region`. The SDK reads these only for the profile in
 * AWS_PROFILE, not for one passed as a client option, so `--profile test`
 * would otherwise reach real AWS with a profile meant for a test endpoint.
 * No SDK import: the TUI header and `config check` need this too.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ProfileSettings {
  region: string | undefined;
  /** endpoint_url of the profile (all services) */
  endpoint: string | undefined;
  /** per-service endpoint_url from its `services` section, keyed by the SDK's service id (ec2, auto_scaling, s3, ...) */
  serviceEndpoints: Record<string, string>;
  /** the config file read, for messages */
  file: string;
}

type Section = Record<string, string | Record<string, string>>;

/** INI as the AWS CLI writes it: `[profile x]`, `[services y]`, `key = value`, and indented `key = value` under a `service =` line. */
export function parseAwsIni(text: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  let nested: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*([#;]|$)/.test(raw)) continue;
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      current = {};
      nested = undefined;
      sections.set(header[1]!.trim().replace(/\s+/g, ' '), current);
      continue;
    }
    const kv = /^(\s*)([^=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!kv || !current) continue;
    const [, indent, key, value] = kv as unknown as [string, string, string, string];
    if (indent.length > 0 && nested) {
      nested[key.toLowerCase()] = value;
    } else if (value === '') {
      nested = {};
      current[key.toLowerCase()] = nested;
    } else {
      nested = undefined;
      current[key.toLowerCase()] = value;
    }
  }
  return sections;
}

export function awsConfigFile(env: NodeJS.ProcessEnv): string {
  return env['AWS_CONFIG_FILE'] || path.join(env['HOME'] || os.homedir(), '.aws', 'config');
}

/** undefined when the file or the profile is missing: the SDK then says what it says. */
export function readProfile(profile: string, env: NodeJS.ProcessEnv): ProfileSettings | undefined {
  const file = awsConfigFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const ini = parseAwsIni(text);
  const section = ini.get(profile === 'default' ? 'default' : `profile ${profile}`) ?? (profile === 'default' ? ini.get('profile default') : undefined);
  if (!section) return undefined;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const serviceEndpoints: Record<string, string> = {};
  const servicesName = str(section['services']);
  const services = servicesName ? ini.get(`services ${servicesName}`) : undefined;
  for (const [service, body] of Object.entries(services ?? {})) {
    const url = typeof body === 'object' ? str(body['endpoint_url']) : undefined;
    if (url) serviceEndpoints[service] = url;
  }
  return { region: str(section['region']), endpoint: str(section['endpoint_url']), serviceEndpoints, file };
}

/** True for AWS's own endpoints (any partition); false for anything a person pointed opsdeck at. */
export function isAwsEndpoint(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return /(^|\.)amazonaws\.com(\.cn)?$/.test(host) || /(^|\.)(c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/.test(host);
  } catch {
    return false;
  }
}

/**
 * Where the region will come from, in the SDK's order: --region, the config
 * file, AWS_REGION / AWS_DEFAULT_REGION, the profile's region. undefined: no
 * region anywhere, and every AWS call would fail.
 */
export function resolveRegion(
  flags: { region?: string | undefined; profile?: string | undefined },
  aws: { region?: string | undefined; profile?: string | undefined },
  env: NodeJS.ProcessEnv,
): { region: string; from: string } | undefined {
  if (flags.region) return { region: flags.region, from: '--region' };
  if (aws.region) return { region: aws.region, from: 'aws.region' };
  if (env['AWS_REGION']) return { region: env['AWS_REGION'], from: 'AWS_REGION' };
  if (env['AWS_DEFAULT_REGION']) return { region: env['AWS_DEFAULT_REGION'], from: 'AWS_DEFAULT_REGION' };
  const profile = flags.profile ?? aws.profile ?? (env['AWS_PROFILE'] || 'default');
  const fromProfile = readProfile(profile, env);
  if (fromProfile?.region) return { region: fromProfile.region, from: `profile ${profile} in ${fromProfile.file}` };
  return undefined;
}
