import type { NextConfig } from 'next';

/**
 * The Content-Security-Policy of every response. Scripts: 'self' plus 'unsafe-inline', because Next.js writes
 * its render payload as inline <script> tags whose text changes with every page (no fixed hash), and a nonce
 * would need a per-request proxy while the build prerenders static pages that could not carry it. The
 * injection inline scripts would open is closed at the source instead: React escapes every user-supplied
 * text and KaTeX renders with trust: false (apps/web/test/markup.reliability.test.ts). The policy still
 * refuses scripts, frames, objects and connections from anywhere else, being framed, a changed <base>, and
 * forms posting elsewhere. Styles: KaTeX sets inline style attributes, so 'unsafe-inline' there too; fonts and
 * images are the site's own (KaTeX fonts are bundled). `next dev` needs eval for React's debugging.
 */
export function contentSecurityPolicy(dev = process.env.NODE_ENV === 'development'): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const securityHeaders = [
  { key: 'Content-Security-Policy', value: contentSecurityPolicy() },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
];

const config: NextConfig = {
  // Every page, API answer and asset carries the security headers.
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
  // Workspace packages ship TypeScript sources (`exports: ./src/index.ts`), so Next compiles them.
  // @sciboard/onnx is reached only through its `layout` entry (graph file names; no inference runtime).
  transpilePackages: ['@sciboard/db', '@sciboard/leaderboard', '@sciboard/queue', '@sciboard/runs', '@sciboard/eval', '@sciboard/datasets', '@sciboard/onnx'],
  // Native drivers stay outside the bundle and load from node_modules at runtime.
  // tsx (and the esbuild binary under it) is reached through @sciboard/eval's grading threads, which the site never
  // starts; bundling it fails on esbuild's binary, so it loads from node_modules like the drivers.
  serverExternalPackages: ['better-sqlite3', 'pg', 'pg-boss', 'tsx', 'esbuild'],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
};

export default config;
