#!/usr/bin/env node
// Bundles every entry point with esbuild into dist/.
// Node-side bundles are CommonJS (VS Code 1.100 loads extensions with require; `vscode` stays external).
import * as esbuild from 'esbuild';
import { rmSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const production = process.argv.includes('--production');
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // piscina stays external everywhere: it starts its workers from the worker.js beside its own
  // code, and Piscina.move() marks results with a symbol private to each copy of the module.
  // pkcs11js is a native addon, loaded lazily only for identity keys on a PKCS#11 token.
  external: ['vscode', 'piscina', 'pkcs11js'],
};

// libsodium, the portable crypto backend (~435 KB minified, its WebAssembly inline), is bundled once
// into dist/libsodium.js; the bundles that may use it require it from beside themselves, and only
// in a thread that chooses the portable backend.
const LIBSODIUM = 'libsodium.js';
const libsodiumBeside = {
  name: 'libsodium-beside',
  setup(build) {
    build.onResolve({ filter: /^libsodium-wrappers$/ }, () => ({ path: `./${LIBSODIUM}`, external: true }));
  },
};
node.plugins = [libsodiumBeside];

// The benchmarks' secret-stream anchor loads sodium-native's prebuilt addon from node_modules.
const anchors = { external: [...node.external, '@hyperswarm/secret-stream', 'sodium-native'] };

/** One row per shipped file: [entry, outfile, extra options]. */
const entries = [
  ['engine/crypto/pool/crypto-task.ts', 'dist/crypto-task.js', {}],
  ['engine/worker/engine-worker.ts', 'dist/engine-worker.js', {}],
  ['engine/cli/main.ts', 'dist/cli.js', { banner: { js: '#!/usr/bin/env node' } }],
  ['engine/sdk/index.ts', 'dist/sdk.js', {}],
  ['scripts/demo.ts', 'dist/demo.js', {}],
  ['bench/transport.ts', 'dist/bench-transport.js', anchors],
  ['bench/engine.ts', 'dist/bench-engine.js', anchors],
  ['bench/secret-stream-peer.ts', 'dist/bench-ss-peer.js', anchors],
  ['bench/bulk-client.ts', 'dist/bench-bulk-client.js', {}],
  ['bench/handshake-profile.ts', 'dist/bench-handshake-profile.js', {}],
  ['extension/extension.ts', 'dist/extension.js', {}],
];

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });
await Promise.all([
  ...entries.map(([entry, outfile, extra]) => esbuild.build({ ...node, ...extra, entryPoints: [entry], outfile })),
  // Its ESM build: the same WebAssembly without the CommonJS build's pure-JavaScript fallback.
  esbuild.build({
    ...node,
    plugins: [],
    stdin: { contents: "export { default } from 'libsodium-wrappers';", resolveDir: '.', sourcefile: 'libsodium-entry.js' },
    outfile: `dist/${LIBSODIUM}`,
  }),
  esbuild.build({
    entryPoints: ['webview/dashboard/main.ts'],
    outfile: 'dist/webview/dashboard.js',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  }),
]);

// Type declarations of the SDK (the package's `memcloud/sdk` entry).
const tsc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.sdk.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
