// Independent peer: writes an MCAP file with @mcap/core's McapWriter. Input JSON (from the test):
// { compression: "zstd"|"lz4"|"none", summary: bool, chunked: bool, topics: [{topic, type, schema}],
//   messages: [{topic, logTime, cdr: hex}] }. Each CDR payload is decoded with @foxglove/rosmsg2-serialization and
// re-encoded with its MessageWriter, so the file holds the peer's own encoding of every message. Chunks are
// compressed with @foxglove/wasm-zstd or lz4js (LZ4 frame). Prints the decoded messages as JSON.
// Usage: NODE_PATH=<node_modules> node write-mcap.cjs <input.json> <out.mcap>
"use strict";
const fs = require("node:fs");
const { McapWriter } = require("@mcap/core");
const { FileHandleWritable } = require("@mcap/nodejs");
const { parse } = require("@foxglove/rosmsg");
const { MessageReader, MessageWriter } = require("@foxglove/rosmsg2-serialization");
const zstd = require("@foxglove/wasm-zstd");
const lz4 = require("lz4js");

async function main() {
  const [inputPath, outPath] = process.argv.slice(2);
  const input = JSON.parse(fs.readFileSync(inputPath, "utf8"));
  await zstd.isLoaded;
  const compressChunk = {
    zstd: (data) => ({ compression: "zstd", compressedData: zstd.compress(data, 3) }),
    lz4: (data) => ({ compression: "lz4", compressedData: Uint8Array.from(lz4.compress(data)) }),
    none: undefined,
  }[input.compression];
  const handle = await fs.promises.open(outPath, "w");
  const writer = new McapWriter({
    writable: new FileHandleWritable(handle),
    useChunks: input.chunked,
    chunkSize: 2048,
    compressChunk,
    useStatistics: input.summary,
    useSummaryOffsets: input.summary,
    useChunkIndex: input.summary,
    useMessageIndex: input.summary,
    repeatSchemas: input.summary,
    repeatChannels: input.summary,
    // @mcap/core 2.2.2 indexes metadata at the wrong offset when unchunked (it takes the stream position before the
    // records still buffered ahead of the Metadata record), so the index is only written with chunks.
    useMetadataIndex: input.summary && input.chunked,
    useAttachmentIndex: input.summary,
  });
  await writer.start({ profile: "ros2", library: "mcap-js peer" });
  const topics = new Map();
  for (const t of input.topics) {
    const definition = parse(t.schema, { ros2: true });
    const schemaId = await writer.registerSchema({ name: t.type, encoding: "ros2msg", data: new TextEncoder().encode(t.schema) });
    const channelId = await writer.registerChannel({
      schemaId, topic: t.topic, messageEncoding: "cdr", metadata: new Map([["offered_qos_profiles", ""]]),
    });
    topics.set(t.topic, { channelId, reader: new MessageReader(definition), writer: new MessageWriter(definition) });
  }
  const written = [];
  let sequence = 0;
  for (const m of input.messages) {
    const topic = topics.get(m.topic);
    const decoded = topic.reader.readMessage(Buffer.from(m.cdr, "hex"));
    const data = topic.writer.writeMessage(decoded);
    await writer.addMessage({
      channelId: topic.channelId, sequence: sequence++, logTime: BigInt(m.logTime), publishTime: BigInt(m.logTime), data,
    });
    written.push(Buffer.from(data).toString("hex"));
  }
  await writer.addMetadata({ name: "peer", metadata: new Map([["written_by", "write-mcap.cjs"]]) });
  await writer.end();
  await handle.close();
  process.stdout.write(JSON.stringify({ written }));
}

main().catch((error) => {
  process.stderr.write(`peer error: ${error.stack}\n`);
  process.exit(1);
});
