// Generated, deterministic projects for `npm run bench:cache`, whose files take real compile time
// (about 100 ms of gcc -O2 each, on the reference machine): a C project built with make and
// ccache, and a Turborepo monorepo whose packages compile C files.

import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A translation unit: a few functions of dense integer code, different for every index. */
function heavyUnit(index: number): string {
  const fns: string[] = [];
  for (let f = 0; f < 4; f++) {
    let body = `static int f${f}(const int *a, int n) {\n  int s = ${index * 7 + f};\n  for (int i = 0; i < n; i++) {\n`;
    for (let k = 0; k < 12; k++) {
      body += `    s = (s * ${k + 3 + index} + a[(i + ${k}) % n]) ^ (s >> ${(k % 7) + 1});\n    if (s > ${1000 + k * index}) s -= a[i] * ${k + 1};\n`;
    }
    fns.push(`${body}  }\n  return s;\n}\n`);
  }
  return `${fns.join('\n')}\nint unit${index}(const int *a, int n) { return ${fns.map((_, f) => `f${f}(a, n)`).join(' + ')}; }\n`;
}

export function writeCProject(dir: string, units: number): string[] {
  mkdirSync(dir, { recursive: true });
  const objects: string[] = [];
  for (let i = 0; i < units; i++) {
    writeFileSync(join(dir, `unit${i}.c`), heavyUnit(i));
    objects.push(`unit${i}.o`);
  }
  writeFileSync(join(dir, 'Makefile'), `all: ${objects.join(' ')}\n%.o: %.c\n\t$(CC) -O2 -c $< -o $@\nclean:\n\trm -f *.o\n`);
  return objects;
}

export function writeTurboRepo(dir: string, packages: number, unitsPerPackage: number, toolsModules: string): string[] {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench-mono', private: true, packageManager: 'npm@11.0.0', workspaces: ['packages/*'] }));
  writeFileSync(join(dir, 'turbo.json'), JSON.stringify({ tasks: { build: { outputs: ['dist/**'] } } }));
  writeFileSync(join(dir, '.gitignore'), 'node_modules\ndist\n.turbo\n');
  const names: string[] = [];
  for (let p = 0; p < packages; p++) {
    const name = `pkg${p}`;
    names.push(name);
    const pkg = join(dir, 'packages', name);
    mkdirSync(join(pkg, 'src'), { recursive: true });
    const compile: string[] = [];
    for (let u = 0; u < unitsPerPackage; u++) {
      writeFileSync(join(pkg, 'src', `u${u}.c`), heavyUnit(p * 100 + u));
      compile.push(`gcc -O2 -c src/u${u}.c -o dist/u${u}.o`);
    }
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, version: '1.0.0', scripts: { build: `mkdir -p dist && ${compile.join(' && ')}` } }));
  }
  symlinkSync(toolsModules, join(dir, 'node_modules'));
  for (const args of [['init', '-q'], ['add', '-A'], ['-c', 'user.email=b@example.com', '-c', 'user.name=b', 'commit', '-qm', 'bench']]) {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  }
  return names;
}
