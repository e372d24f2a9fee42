// Independent peer: Foxglove's own client library (@foxglove/ws-protocol FoxgloveClient over the `ws` package, as a
// Node program would use it) connects to our server, subscribes to every advertised channel, decodes each payload
// with @foxglove/rosmsg2-serialization against the schema the server advertised and prints JSON the C# test compares
// field by field with what it published.
// Usage: NODE_PATH=<node_modules> node foxglove-client.cjs <ws://127.0.0.1:port> <messages per channel> <channels>
"use strict";
const WebSocket = require("ws");
const { FoxgloveClient } = require("@foxglove/ws-protocol");
const { parse } = require("@foxglove/rosmsg");
const { MessageReader } = require("@foxglove/rosmsg2-serialization");

const [url, perChannelText, channelCountText] = process.argv.slice(2);
const perChannel = Number(perChannelText);
const channelCount = Number(channelCountText);

// Uint8Array -> hex, BigInt -> string: JSON that C# can compare exactly (as in read-mcap.cjs).
function plain(value) {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value, plain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

const ws = new WebSocket(url, [FoxgloveClient.SUPPORTED_SUBPROTOCOL]);
const client = new FoxgloveClient({ ws });
const out = { subprotocol: null, serverInfo: null, channels: [], statuses: [], messages: [] };
const bySubscription = new Map(); // subscription id -> { channel, reader, count }

function finish(code, error) {
  if (error) process.stderr.write(`peer error: ${error.message ?? error}\n`);
  process.stdout.write(JSON.stringify(plain(out)));
  client.close();
  process.exit(code);
}

const timer = setTimeout(() => finish(1, new Error("timed out before every channel delivered its messages")), 30000);

client.on("open", () => { out.subprotocol = ws.protocol; });
client.on("error", (error) => finish(1, error));
client.on("serverInfo", (info) => { out.serverInfo = info; });
client.on("status", (status) => out.statuses.push(status));
client.on("advertise", (channels) => {
  for (const channel of channels) {
    out.channels.push(channel);
    const reader = new MessageReader(parse(channel.schema, { ros2: true }));
    bySubscription.set(client.subscribe(channel.id), { channel, reader, count: 0 });
  }
});
client.on("message", ({ subscriptionId, timestamp, data }) => {
  const entry = bySubscription.get(subscriptionId);
  if (!entry) return finish(1, new Error(`message for unknown subscription ${subscriptionId}`));
  if (entry.count >= perChannel) return;
  entry.count++;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  out.messages.push({ topic: entry.channel.topic, subscriptionId, timestamp, decoded: entry.reader.readMessage(bytes) });
  const done = [...bySubscription.values()].filter((e) => e.count >= perChannel).length;
  if (done === channelCount) {
    clearTimeout(timer);
    finish(0);
  }
});
