/**
 * What a server that does not speak RESP probably is, from the first bytes it sent: the usual mistake is a --redis
 * URL pointing at the API's port (HTTP), at a TLS port without `rediss://`, or at another service.
 */

/** Bytes kept from a reply that is not RESP: enough for every signature below. */
export const PROTOCOL_HEAD_BYTES = 16;

const SIGNATURES: readonly { test: (head: Buffer, text: string) => boolean; what: string }[] = [
  { test: (_head, text) => /^HTTP\/\d/.test(text), what: 'an HTTP server (is this the API\'s port?)' },
  { test: (_head, text) => /^<(!DOCTYPE|html)/i.test(text), what: 'an HTTP server (is this the API\'s port?)' },
  // A TLS record: content type 0x14–0x17 (alert 0x15, handshake 0x16), then version 3.x.
  { test: (head) => head.length >= 2 && head[0]! >= 0x14 && head[0]! <= 0x17 && head[1] === 0x03, what: 'a TLS server (use rediss://)' },
  { test: (_head, text) => text.startsWith('SSH-'), what: 'an SSH server' },
  { test: (_head, text) => text.startsWith('AMQP'), what: 'an AMQP broker (RabbitMQ?)' },
  { test: (_head, text) => /^\d{3}[ -]/.test(text), what: 'an SMTP or FTP server' },
];

/** "it looks like an HTTP server (…)", or the first bytes escaped when no signature matches. */
export function describeForeignProtocol(head: Buffer): string {
  const text = head.toString('latin1');
  const known = SIGNATURES.find((signature) => signature.test(head, text));
  if (known) return `it looks like ${known.what}`;
  const shown = [...head.subarray(0, PROTOCOL_HEAD_BYTES)]
    .map((byte) => (byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`))
    .join('');
  return `its first bytes, \`${shown}\`, are not RESP: is this another protocol's port?`;
}
