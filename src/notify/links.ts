// Identifiers of what listwarden sends: archive links, reply tokens (HMAC), and Message-IDs that thread alerts.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { safeUrl } from './escape.js';

/** The Message-ID without angle brackets. */
export function bareMessageId(messageId: string): string {
  return messageId.trim().replace(/^<|>$/g, '');
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** HyperKitty's message hash: base32 of the SHA-1 of the Message-ID without brackets. */
export function hyperkittyHash(messageId: string): string {
  return base32(createHash('sha1').update(bareMessageId(messageId), 'utf8').digest());
}

/**
 * The post's archive link from a per-list template: `{messageId}` (bare, URL-encoded), `{messageIdRaw}` (bare, as
 * is), `{hyperkittyHash}`, `{list}`. Only http(s) results are returned. e.g.
 *   lore:        https://lore.kernel.org/{list}/{messageId}/
 *   HyperKitty:  https://lists.example.org/archives/list/tlug@example.org/message/{hyperkittyHash}/
 *   mail-archive https://www.mail-archive.com/search?l=tlug@example.org&q=msgid:{messageId}
 */
export function archiveLink(template: string | undefined, list: string, messageId: string): string | undefined {
  if (!template) return undefined;
  const bare = bareMessageId(messageId);
  const url = template.replace(/\{(messageId|messageIdRaw|hyperkittyHash|list)\}/g, (_, key: string) => {
    switch (key) {
      case 'messageId':
        return encodeURIComponent(bare);
      case 'messageIdRaw':
        return bare;
      case 'hyperkittyHash':
        return hyperkittyHash(messageId);
      default:
        return encodeURIComponent(list);
    }
  });
  return safeUrl(url);
}

/** The reply token of a notice: HMAC-SHA256 of its id under the secret, 20 base64url characters (120 bits). */
export function noticeToken(secret: string, noticeId: string): string {
  return createHmac('sha256', secret).update(`listwarden-notice\0${noticeId}`).digest('base64url').slice(0, 20);
}

export function tokenValid(secret: string, noticeId: string, token: string): boolean {
  const want = Buffer.from(noticeToken(secret, noticeId));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** The Message-ID of the alert about a notice: it carries the notice id and token, so a reply's In-Reply-To proves it. */
export function alertMessageId(noticeId: string, token: string, domain: string): string {
  return `<lw.${noticeId}.${token}@${domain}>`;
}

/** A notice reference found in a reply (from In-Reply-To, References, or the `Ref:` line of the quoted alert). */
export interface NoticeRef {
  noticeId: string;
  token: string;
}

const REF_IN_ID = /<lw\.(n-[A-Za-z0-9-]{1,80})\.([A-Za-z0-9_-]{20})@[^>\s]+>/g;
const REF_IN_TEXT = /\blw-ref:\s*(n-[A-Za-z0-9-]{1,80})\.([A-Za-z0-9_-]{20})\b/gi;

/** Every notice reference in the given header values and body text, header ones first. */
export function noticeRefsIn(ids: string[], text = ''): NoticeRef[] {
  const out: NoticeRef[] = [];
  for (const id of ids) for (const m of id.matchAll(REF_IN_ID)) out.push({ noticeId: m[1]!, token: m[2]! });
  for (const m of text.matchAll(REF_IN_TEXT)) out.push({ noticeId: m[1]!, token: m[2]! });
  return out;
}

/** The line an alert carries so a reply that drops threading headers still names the notice. */
export function refLine(noticeId: string, token: string): string {
  return `lw-ref: ${noticeId}.${token}`;
}

/** The invented root every alert about one thread replies to, so mail clients show them as one conversation. */
export function threadRootId(list: string, threadId: string, domain: string): string {
  const h = createHash('sha256').update(`${list}\0${threadId}`).digest('hex').slice(0, 32);
  return `<lw-thread.${h}@${domain}>`;
}

/** The domain part of an address like `listwarden <lw@example.org>`. */
export function domainOf(address: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(address.trim());
  return m?.[1] ?? 'listwarden.invalid';
}
