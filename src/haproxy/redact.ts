import { REDACTED } from '../core/redact.js';

/**
 * haproxy.cfg holds secrets inline (the recipe's template has
 * `stats auth myusername:mypassword`), and a plan's diff or haproxy's own
 * error text can quote those lines. Plans are printed, sent as JSON and
 * shown in the TUI, so the secret part of such lines is replaced before any
 * of that. Only what is shown is redacted: apply writes the real text.
 *
 * Each rule keeps the keyword (so a reader still sees which line changed)
 * and hides the value; the rules also match inside unified-diff lines and
 * inside haproxy's messages.
 */
// [ \t] rather than \s: the rules run over whole texts and must never join two lines.
const RULES: RegExp[] = [
  // stats auth <user>:<password> (also inside haproxy's own messages, which quote lines)
  /(\bstats[ \t]+auth[ \t]+[^:\s]+:)([^\s'"]+)/g,
  // userlist: user <name> password <hash> | insecure-password <password>
  /(\buser[ \t]+\S+[ \t]+(?:insecure-)?password[ \t]+)([^\s'"]+)/g,
  // headers that carry credentials, set by the proxy or sent by a health check
  /(\b(?:http-request|http-response|http-after-response)[ \t]+(?:set|add)-header[ \t]+(?:authorization|proxy-authorization|cookie|x-api-key|x-auth-token)[ \t]+)(.+)$/gim,
  /(\bhttp-check[ \t]+send\b.*?\bhdr[ \t]+(?:authorization|proxy-authorization|x-api-key|x-auth-token)[ \t]+)(\S+)/gi,
  // setenv / presetenv of a variable whose name looks secret
  /^([-+ ]?[ \t]*(?:setenv|presetenv)[ \t]+\S*(?:password|passwd|secret|token|key|credential)\S*[ \t]+)(.+)$/gim,
];

/** Redacts a config, a diff or a message quoting config lines: whole-text passes, no per-line work (5,000-server diffs). */
export function redactConfigText(text: string): string {
  let out = text;
  for (const rule of RULES) out = out.replace(rule, (_m, keep: string) => `${keep}${REDACTED}`);
  return out;
}

/** The secret values the rules find in a config text (group 2 of each rule). */
function secretValues(text: string): string[] {
  const out = new Set<string>();
  for (const rule of RULES) {
    for (const m of text.matchAll(new RegExp(rule.source, rule.flags))) {
      const v = (m[2] ?? '').trim();
      if (!v) continue;
      out.add(v);
      // haproxy quotes single words of a line it rejects ("… but found 'dXNlcjp…'"): each long word is secret too
      for (const w of v.split(/[ \t]+/)) if (w.length >= 8) out.add(w.replace(/^['"]|['"]$/g, ''));
    }
  }
  // longest first, so a value is replaced whole before any of its words
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * A message from haproxy (-c, a reload) about `configText`: the rules, plus
 * every secret value of the config wherever the message quotes it, even a
 * lone word out of its line (an unquoted `set-header Authorization Basic …`
 * is rejected naming only the token).
 */
export function redactMessage(message: string, configText: string): string {
  let out = redactConfigText(message);
  for (const v of secretValues(configText)) out = out.split(v).join(REDACTED);
  return out;
}
