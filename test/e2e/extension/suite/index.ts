// extensionTestsPath entry: runs the MemCloud suites with mocha inside the real extension host.
// Rejecting makes VS Code exit with code 1 (the contract of extensionTestsPath).
import Mocha from 'mocha';
import { join } from 'node:path';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  mocha.addFile(join(__dirname, 'memcloud.suite.js'));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} MemCloud extension test(s) failed`);
}
