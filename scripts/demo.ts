// npm start: two real MemCloud nodes on 127.0.0.1 in temporary homes. They exchange public keys
// (`memcloud id` / `memcloud trust add`, as two people would), connect, and show the mutually
// authenticated session with both fingerprints. Everything is removed at the end.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, startNode, type RunningNode } from '../test/support/node-process';

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'memcloud-demo-'));
  const nodes: RunningNode[] = [];
  try {
    const homes = { laptop: join(root, 'laptop'), desktop: join(root, 'desktop') };
    say('MemCloud demo: two real nodes on this machine (127.0.0.1), each with its own home.\n');
    const ids = Object.fromEntries(
      Object.entries(homes).map(([name, home]) => [name, JSON.parse(cli(home, ['id', '--json'])) as { publicKey: string; fingerprint: string }]),
    );
    for (const [name, id] of Object.entries(ids)) say(`  ${name.padEnd(8)} identity ${id.fingerprint}   (memcloud id)`);
    say('\nEach side trusts the other by public key (memcloud trust add <key>):');
    cli(homes.laptop, ['trust', 'add', ids.desktop!.publicKey, '--name', 'desktop']);
    cli(homes.desktop, ['trust', 'add', ids.laptop!.publicKey, '--name', 'laptop']);
    say('  laptop  trusts desktop');
    say('  desktop trusts laptop');

    const desktop = await startNode('desktop', homes.desktop);
    nodes.push(desktop);
    say(`\ndesktop listens on 127.0.0.1:${desktop.port}; laptop connects to it (Noise XX + Ed25519 identities).`);
    const laptop = await startNode('laptop', homes.laptop, ['--connect', `127.0.0.1:${desktop.port}`]);
    nodes.push(laptop);
    const [onLaptop, onDesktop] = await Promise.all([
      laptop.waitFor(/session established with desktop/),
      desktop.waitFor(/session established with laptop/),
    ]);
    const fp = (line: string) => /\(([0-9A-Z-]+)\)/.exec(line)![1];
    say('\nSession established, mutually authenticated and encrypted (ChaCha20-Poly1305):');
    say(`  laptop  sees desktop  ${fp(onLaptop)}  (desktop's own fingerprint: ${desktop.fingerprint})`);
    say(`  desktop sees laptop   ${fp(onDesktop)}  (laptop's own fingerprint:  ${laptop.fingerprint})`);
    if (fp(onLaptop) !== desktop.fingerprint || fp(onDesktop) !== laptop.fingerprint) throw new Error('fingerprints do not match');
    say('\nBoth fingerprints match what each device reports about itself.');

    say('\nThe laptop offloads data into the desktop\'s RAM through its node (memcloud CLI):');
    cli(homes.laptop, ['set', 'greeting', 'hello from the laptop']);
    say(`  memcloud set greeting ...      -> stored; memcloud get greeting -> "${cli(homes.laptop, ['get', 'greeting']).trim()}"`);
    const file = join(root, 'dataset.bin');
    const data = randomBytes(32 * 1024 * 1024);
    writeFileSync(file, data);
    const started = Date.now();
    const id = cli(homes.laptop, ['push', file]).trim();
    const seconds = (Date.now() - started) / 1000;
    say(`  memcloud push dataset.bin      -> ${id} (32 MiB in ${seconds.toFixed(2)} s)`);
    cli(homes.laptop, ['pull', id, join(root, 'restored.bin')]);
    const same = createHash('sha256').update(readFileSync(join(root, 'restored.bin'))).digest('hex') === createHash('sha256').update(data).digest('hex');
    say(`  memcloud pull ${id.slice(0, 8)}... -> restored, ${same ? 'byte-identical' : 'DIFFERENT'}`);
    if (!same) throw new Error('restored data differs');
    const lent = JSON.parse(cli(homes.desktop, ['stats', '--json'])) as { lent: { usedBytes: number } };
    say(`  the desktop now lends ${(lent.lent.usedBytes / 1024 / 1024).toFixed(1)} MiB of its RAM to the laptop`);
    say('\nPeers as the laptop sees them (memcloud peers list):');
    say(cli(homes.laptop, ['peers', 'list']).replace(/^/gm, '  ').trimEnd());
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(root, { recursive: true, force: true });
  }
  say('Nodes stopped; temporary homes removed.');
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
