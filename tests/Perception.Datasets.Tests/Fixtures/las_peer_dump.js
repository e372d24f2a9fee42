// Dumps LAS files as text with two independent JavaScript readers (see generate_las_fixtures.py and README.md):
//   node las_peer_dump.js PEER_DIR FILE.las...
// PEER_DIR holds node_modules with copc@0.0.8 and @loaders.gl/las@4.5.1. For each file, copc.js writes
// FILE.las.copc.txt (LAS 1.2 and 1.4: every attribute, extra bytes) and loaders.gl writes FILE.las.loadersgl.txt
// (LAS 1.2 and 1.3, formats 0-3: coordinates, intensity, the classification byte, colour >> 8). Numbers are
// JavaScript's shortest round-trip spelling, so a double reads back bit for bit.
'use strict';
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const peerRequire = createRequire(path.join(path.resolve(process.argv[2]), 'package.json'));
const { Las } = peerRequire('copc');
const { LASLoader } = peerRequire('@loaders.gl/las');

function headerLines(peer, version, format, recordLength, count, scale, offset, min, max) {
  return [
    `# ${peer}`,
    `version ${version}`,
    `point_format ${format}`,
    `record_length ${recordLength}`,
    `point_count ${count}`,
    `scale ${scale.join(' ')}`,
    `offset ${offset.join(' ')}`,
    `min ${min.join(' ')}`,
    `max ${max.join(' ')}`,
  ];
}

async function dumpCopc(file, bytes) {
  // copc.js wants a 375-byte buffer even for a 1.2 header (227 bytes, all it reads): small files get zeros after.
  const padded = new Uint8Array(Math.max(bytes.length, 375));
  padded.set(bytes);
  const header = Las.Header.parse(padded);
  const vlrs = await Las.Vlr.walk(file, header);
  const extraBytesVlr = Las.Vlr.find(vlrs, 'LASF_Spec', 4);
  const extraBytes = extraBytesVlr ? Las.ExtraBytes.parse(await Las.Vlr.fetch(file, extraBytesVlr)) : [];

  // copc.js 0.0.8 reads an extra attribute's scale and offset big-endian (a bug), so scaled attributes are dumped
  // raw, as NAME:raw; the test applies the descriptor's little-endian scale and offset itself.
  for (const attribute of extraBytes) {
    if (attribute.scale !== undefined || attribute.offset !== undefined) {
      delete attribute.scale;
      delete attribute.offset;
      attribute.raw = true;
    }
  }
  const start = header.pointDataOffset;
  const points = bytes.subarray(start, start + header.pointCount * header.pointDataRecordLength);
  const view = Las.View.create(points, header, extraBytes);
  const names = Object.keys(view.dimensions);
  const raw = new Set(extraBytes.filter((a) => a.raw).map((a) => a.name));
  const labels = names.map((name) => name.replace(/\s/g, '_') + (raw.has(name) ? ':raw' : ''));
  const getters = names.map((name) => view.getter(name));
  const lines = headerLines('copc.js 0.0.8', `${header.majorVersion}.${header.minorVersion}`,
    header.pointDataRecordFormat, header.pointDataRecordLength, header.pointCount, header.scale, header.offset,
    header.min, header.max);
  lines.push(`fields ${labels.join(' ')}`);
  for (let i = 0; i < view.pointCount; i++) {
    lines.push(getters.map((get) => String(Number(get(i)))).join(' '));
  }
  fs.writeFileSync(`${file}.copc.txt`, lines.join('\n') + '\n');
}

function dumpLoadersGl(file, bytes) {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const mesh = LASLoader.parseSync(buffer, { las: { fp64: true, colorDepth: 16 } });
  const header = mesh.loaderData;
  const position = mesh.attributes.POSITION.value;
  const intensity = mesh.attributes.intensity.value;
  const classification = mesh.attributes.classification.value;
  const color = mesh.attributes.COLOR_0 ? mesh.attributes.COLOR_0.value : null;
  // loaders.gl's result does not carry the version; the file name says it.
  const lines = headerLines('loaders.gl @loaders.gl/las 4.5.1', '-',
    header.pointsFormatId, header.pointsStructSize, header.pointsCount, header.scale, header.offset, header.mins,
    header.maxs);
  lines.push(`fields X Y Z intensity classification${color ? ' red green blue' : ''}`);
  for (let i = 0; i < header.pointsCount; i++) {
    const row = [position[3 * i], position[3 * i + 1], position[3 * i + 2], intensity[i], classification[i]];
    if (color) {
      row.push(color[4 * i], color[4 * i + 1], color[4 * i + 2]);
    }
    lines.push(row.map(String).join(' '));
  }
  fs.writeFileSync(`${file}.loadersgl.txt`, lines.join('\n') + '\n');
}

async function main() {
  for (const file of process.argv.slice(3)) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const minor = bytes[25];
    const format = bytes[104];
    if (minor === 2 || minor === 4) {
      await dumpCopc(file, bytes);
    }
    if (minor <= 3 && format <= 3) {
      dumpLoadersGl(file, bytes);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
