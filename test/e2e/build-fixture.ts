// Builds the fixture extension (test/e2e/fixture) into a throw-away directory with esbuild:
// the extension bundle, the mocha entry points and suites, and the files a vsix needs.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const FIXTURE_SRC = join(import.meta.dirname, 'fixture');
const require = createRequire(import.meta.url);

export interface BuiltFixture {
  /** The extension folder (package.json + dist/extension.js). */
  readonly extensionDir: string;
  /** extensionTestsPath entry whose suite passes. */
  readonly passTests: string;
  /** extensionTestsPath entry that adds one deliberately failing test. */
  readonly failTests: string;
  /** extensionTestsPath entry whose run() never settles. */
  readonly hangTests: string;
}

/**
 * mocha stays external but is required by absolute path: the bundles live in a temp dir where
 * require('mocha') would not resolve, and index and suites must share one mocha instance.
 */
const mochaByAbsolutePath: Plugin = {
  name: 'mocha-absolute',
  setup(b) {
    b.onResolve({ filter: /^mocha$/ }, () => ({ path: require.resolve('mocha'), external: true }));
  },
};

export async function buildFixture(outDir: string): Promise<BuiltFixture> {
  mkdirSync(outDir, { recursive: true });
  for (const name of ['package.json', 'README.md', '.vscodeignore', 'media']) {
    cpSync(join(FIXTURE_SRC, name), join(outDir, name), { recursive: true });
  }
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: ['vscode'],
  };
  await build({ ...common, entryPoints: [join(FIXTURE_SRC, 'src', 'extension.ts')], outfile: join(outDir, 'dist', 'extension.js') });
  const tests = ['index-pass', 'index-fail', 'index-hang', 'pass.suite', 'fail.suite'].map((n) => join(FIXTURE_SRC, 'test', `${n}.ts`));
  await build({ ...common, entryPoints: tests, outdir: join(outDir, 'dist', 'test'), plugins: [mochaByAbsolutePath] });
  return {
    extensionDir: outDir,
    passTests: join(outDir, 'dist', 'test', 'index-pass.js'),
    failTests: join(outDir, 'dist', 'test', 'index-fail.js'),
    hangTests: join(outDir, 'dist', 'test', 'index-hang.js'),
  };
}
