// Reads JSON-LD documents with a JSON-LD 1.1 processor (npm `jsonld`, Digital Bazaar's
// reference implementation) in safe mode, which fails on anything it would have to drop
// (an unknown term, a malformed value, a relative IRI with no base), and prints their
// N-Quads: the statements a portal harvesting the open data would read.
// Usage: node tools/jsonld-check.mjs FILE.jsonld...   (exit 1 on the first invalid document)
import fs from 'node:fs';
import jsonld from 'jsonld';

for (const file of process.argv.slice(2)) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: not JSON: ${e.message}`);
    process.exit(1);
  }
  try {
    // No network: every context must be inline, as Disan writes it.
    const documentLoader = (url) => { throw new Error(`would fetch ${url}: contexts must be inline`); };
    const nquads = await jsonld.toRDF(doc, { format: 'application/n-quads', safe: true, documentLoader });
    process.stdout.write(nquads);
  } catch (e) {
    console.error(`${file}: invalid JSON-LD: ${e.name}: ${e.message} ${JSON.stringify(e.details ?? {}).slice(0, 400)}`);
    process.exit(1);
  }
}
