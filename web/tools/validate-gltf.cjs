// The Khronos glTF validator (npm gltf-validator) over GLB files, for the Rust tests of
// `disan pack`: prints one JSON line per file {file, errors, warnings, messages} and exits 1 if
// any file has errors.
// Usage: node web/tools/validate-gltf.cjs FILE.glb...
const fs = require('fs');
const path = require('path');
const validator = require(path.join(__dirname, '..', 'node_modules', 'gltf-validator'));

async function main() {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const report = await validator.validateBytes(bytes, { uri: path.basename(file), maxIssues: 50 });
    const issues = report.issues;
    const messages = issues.messages.filter((m) => m.severity <= 1).map((m) => `${m.code} ${m.pointer || ''}: ${m.message}`);
    console.log(JSON.stringify({ file, errors: issues.numErrors, warnings: issues.numWarnings, messages }));
    if (issues.numErrors > 0) failed = true;
  }
  process.exit(failed ? 1 : 0);
}
main().catch((e) => { console.error(e); process.exit(2); });
