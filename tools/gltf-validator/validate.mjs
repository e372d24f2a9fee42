// Validates one glTF/GLB file with Khronos's glTF-Validator and prints its report as JSON on stdout.
// Exit code: 0 when the report has no errors, 1 when it has, 2 when the file could not be validated at all.
import { readFile } from 'node:fs/promises';
import validator from 'gltf-validator';

const path = process.argv[2];
if (!path) {
  console.error('usage: node validate.mjs FILE.glb');
  process.exit(2);
}

try {
  const bytes = new Uint8Array(await readFile(path));
  const report = await validator.validateBytes(bytes, { uri: path, maxIssues: 100 });
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.issues.numErrors === 0 ? 0 : 1);
} catch (error) {
  console.error(`gltf-validator could not read ${path}: ${error}`);
  process.exit(2);
}
