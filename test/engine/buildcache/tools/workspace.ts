// Small JavaScript monorepos for the Turborepo and Nx tests: packages whose build burns a little
// CPU and writes dist/out.txt, git-initialized (both tools hash through git) with the outputs
// ignored, and node_modules linked to the pinned tools in .e2e-cache/build-tools.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NPM_TOOLS_MODULES } from '../../../../scripts/buildtools/prepare.mjs';

export const PACKAGES = ['alpha', 'beta', 'gamma'] as const;

export function writeWorkspace(dir: string, extraFiles: Readonly<Record<string, string>>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mono', private: true, packageManager: 'npm@11.0.0', workspaces: ['packages/*'] }));
  writeFileSync(join(dir, '.gitignore'), 'node_modules\ndist\n.turbo\n.nx\n');
  for (const [name, text] of Object.entries(extraFiles)) writeFileSync(join(dir, name), text);
  for (const p of PACKAGES) {
    const pkg = join(dir, 'packages', p);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: p, version: '1.0.0', scripts: { build: 'node build.js' } }));
    writeFileSync(
      join(pkg, 'build.js'),
      `const fs = require('fs'); let s = 0; for (let i = 0; i < 1e7; i++) s = (s + i * 7) % 1000003;\n` +
        `fs.mkdirSync('dist', { recursive: true }); fs.writeFileSync('dist/out.txt', '${p} ' + s); console.log('built ${p}');\n`,
    );
  }
  symlinkSync(NPM_TOOLS_MODULES, join(dir, 'node_modules'));
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'init']]) {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  }
}

export function outputs(dir: string): string[] {
  return PACKAGES.map((p) => readFileSync(join(dir, 'packages', p, 'dist', 'out.txt'), 'utf8'));
}
