/**
 * A loopback TCP proxy in front of PostgreSQL that counts protocol messages, so round trips are counted the
 * same way for every tool (psql, node-pg-migrate, umzug, the bundled stepback CLI) without touching their code.
 *
 * A round trip is one ReadyForQuery ('Z') from the server: the server sends exactly one after every simple
 * Query ('Q') and after every extended-protocol Sync ('S'), and a client that waits for results before sending
 * more (all of these do) waits once per 'Z'. The one 'Z' that ends connection start-up is counted separately.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export async function startCountingProxy(target = { host: '127.0.0.1', port: 5432 }) {
  const counts = { connections: 0, readyForQuery: 0, queries: 0, syncs: 0, serverMs: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    counts.connections++;
    const upstream = net.connect(target);
    sockets.add(client);
    sockets.add(upstream);
    let clientStarted = false; // the start-up packet (and an SSLRequest) has no type byte
    let sslReplyPending = false;
    let startupZ = true;
    // Time from the client's first bytes after a ReadyForQuery to the next one: the client waiting on the
    // server (PostgreSQL's work plus loopback latency), as opposed to time spent in the client.
    let waitingSince;
    const fromClient = messageReader(
      () => clientStarted,
      (type, body) => {
        if (type === null) {
          const code = body.readInt32BE(0);
          if (code === 80877103 || code === 80877104) sslReplyPending = true;
          else clientStarted = true;
          return;
        }
        if (type === 0x51) counts.queries++;
        if (type === 0x53) counts.syncs++;
      },
    );
    const fromServer = messageReader(
      () => true,
      (type) => {
        if (type === 0x5a) {
          if (startupZ) startupZ = false;
          else {
            counts.readyForQuery++;
            counts.serverMs += performance.now() - (waitingSince ?? performance.now());
          }
          waitingSince = undefined;
        }
      },
      () => {
        if (!sslReplyPending) return false;
        sslReplyPending = false;
        return true;
      },
    );
    client.on('data', (d) => {
      waitingSince ??= performance.now();
      fromClient(d);
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      fromServer(d);
      client.write(d);
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    counts,
    reset() {
      Object.assign(counts, { connections: 0, readyForQuery: 0, queries: 0, syncs: 0, serverMs: 0 });
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Splits a byte stream into protocol messages. `typed()` says whether messages carry a type byte yet;
 * `singleByte()` consumes a lone byte (the server's answer to an SSLRequest).
 */
function messageReader(typed, onMessage, singleByte = () => false) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (buf.length >= 1 && singleByte()) {
        buf = buf.subarray(1);
        continue;
      }
      if (typed()) {
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) return;
        onMessage(buf[0], buf.subarray(5, 1 + len));
        buf = buf.subarray(1 + len);
      } else {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        onMessage(null, buf.subarray(4, len));
        buf = buf.subarray(len);
      }
    }
  };
}
