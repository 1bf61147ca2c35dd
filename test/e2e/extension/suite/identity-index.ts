// extensionTestsPath entry for the identity-key suite (see index.ts).
import Mocha from 'mocha';
import { join } from 'node:path';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  mocha.addFile(join(__dirname, 'identity.suite.js'));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} MemCloud identity test(s) failed`);
}
