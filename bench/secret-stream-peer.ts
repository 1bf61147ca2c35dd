// The far end of the secret-stream anchor (bench/secret-stream.ts), in a process of its own as the
// MemCloud peers are: hyperswarm's secret-stream (Noise XX, Ed25519, libsodium secretstream via
// sodium-native) over TCP on 127.0.0.1. Prints {"port"} once listening; stops when stdin ends.
// Protocol, one message per write: on open it sends one READY byte; SINK messages are counted,
// FIN is answered with FIN || the f64 count of bytes received since the last FIN.

import { createServer, type AddressInfo } from 'node:net';
import SecretStream from '@hyperswarm/secret-stream';
import { SS_FIN, SS_READY, SS_SINK } from './secret-stream-modes';

const keyPair = SecretStream.keyPair();
const server = createServer((socket) => {
  socket.setNoDelay(true);
  const stream = new SecretStream(false, socket, { keyPair });
  let received = 0;
  stream.on('open', () => stream.write(Buffer.of(SS_READY)));
  stream.on('data', (m: Buffer) => {
    if (m[0] === SS_SINK) {
      received += m.length;
    } else if (m[0] === SS_FIN) {
      const reply = Buffer.alloc(9);
      reply[0] = SS_FIN;
      reply.writeDoubleBE(received, 1);
      received = 0;
      stream.write(reply);
    }
  });
  stream.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
