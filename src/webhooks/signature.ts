// Delivery signatures: Nexus's X-Nexus-Webhook-Signature (HMAC-SHA1 of the body, hex, keyed with the
// webhook's secret), and X-Wharf-Signature-256 (HMAC-SHA256, "sha256=<hex>", the form GitHub made common).
import { createHmac } from 'node:crypto';

export function signatureHeaders(body: string, secret: string | null): Record<string, string> {
  if (!secret) return {};
  return {
    'x-nexus-webhook-signature': createHmac('sha1', secret).update(body).digest('hex'),
    'x-wharf-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}
