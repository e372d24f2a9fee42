// Independent peer: reads an MCAP file written by the SDK with @mcap/core (indexed reader: summary CRC; stream reader:
// every record and chunk CRC), checks the DataEnd CRC with @foxglove/crc, decodes every message with
// @foxglove/rosmsg2-serialization from the file's own ros2msg schema and prints JSON for field-by-field comparison.
// Usage: NODE_PATH=<node_modules> node read-mcap.cjs <file.mcap>
"use strict";
const fs = require("node:fs");
const { McapIndexedReader, McapStreamReader } = require("@mcap/core");
const { loadDecompressHandlers } = require("@mcap/support");
const { FileHandleReadable } = require("@mcap/nodejs");
const { parse } = require("@foxglove/rosmsg");
const { MessageReader } = require("@foxglove/rosmsg2-serialization");
const { crc32 } = require("@foxglove/crc");

// Uint8Array -> hex, BigInt -> string, Map -> object: JSON that C# can compare exactly.
function plain(value) {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value, plain);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

function dataSectionCrc(bytes) {
  // Walk the top-level records from the magic to DataEnd; its CRC covers every byte before it.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  while (offset < bytes.length) {
    const opcode = bytes[offset];
    const length = Number(view.getBigUint64(offset + 1, true));
    if (opcode === 0x0f) return { expected: view.getUint32(offset + 9, true), actual: crc32(bytes.subarray(0, offset)) };
    offset += 9 + length;
  }
  throw new Error("no DataEnd record");
}

async function main() {
  const path = process.argv[2];
  const decompressHandlers = await loadDecompressHandlers();
  const bytes = fs.readFileSync(path);

  const stream = new McapStreamReader({ decompressHandlers, validateCrcs: true });
  stream.append(bytes);
  const counts = {};
  for (let record; (record = stream.nextRecord()); ) counts[record.type] = (counts[record.type] ?? 0) + 1;
  if (!stream.done()) throw new Error("stream reader did not reach the footer");

  const handle = await fs.promises.open(path, "r");
  const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers });
  const readers = new Map();
  const messages = [];
  for await (const message of reader.readMessages({ validateCrcs: true })) {
    const channel = reader.channelsById.get(message.channelId);
    const schema = reader.schemasById.get(channel.schemaId);
    if (!readers.has(schema.id)) {
      readers.set(schema.id, new MessageReader(parse(new TextDecoder().decode(schema.data), { ros2: true })));
    }
    messages.push({
      topic: channel.topic, sequence: message.sequence, logTime: message.logTime, publishTime: message.publishTime,
      decoded: readers.get(schema.id).readMessage(message.data),
    });
  }
  const metadata = [];
  for await (const record of reader.readMetadata()) metadata.push(record);
  await handle.close();

  const out = {
    header: reader.header,
    recordCounts: counts,
    dataSectionCrc: dataSectionCrc(bytes),
    schemas: [...reader.schemasById.values()].map((s) => ({ ...s, data: new TextDecoder().decode(s.data) })),
    channels: [...reader.channelsById.values()],
    statistics: reader.statistics,
    chunkIndexes: reader.chunkIndexes.length,
    metadata,
    messages,
  };
  process.stdout.write(JSON.stringify(plain(out)));
}

main().catch((error) => {
  process.stderr.write(`peer error: ${error.message}\n`);
  process.exit(1);
});
