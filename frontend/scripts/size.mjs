// Report the built bundle's size, raw and gzipped, and fail over budget.
//   npm run build && npm run size [-- DIST_DIR]   (SIZE_BUDGET_KB overrides the JS budget)
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dir = join(process.argv[2] ?? join(import.meta.dirname, "..", "dist"), "assets");
const budgetKb = Number(process.env.SIZE_BUDGET_KB ?? 100);
const totals = { js: { raw: 0, gz: 0 }, css: { raw: 0, gz: 0 } };
for (const name of readdirSync(dir).sort()) {
  const kind = name.endsWith(".js") ? "js" : name.endsWith(".css") ? "css" : null;
  if (!kind) continue;
  const data = readFileSync(join(dir, name));
  const gz = gzipSync(data, { level: 9 }).length;
  totals[kind].raw += data.length;
  totals[kind].gz += gz;
  console.log(`${name.padEnd(32)} ${(data.length / 1024).toFixed(1).padStart(7)} KB  gzip ${(gz / 1024).toFixed(1).padStart(6)} KB`);
}
const kb = (n) => (n / 1024).toFixed(1);
console.log(`JS total  ${kb(totals.js.raw)} KB, gzip ${kb(totals.js.gz)} KB (budget ${budgetKb} KB)`);
console.log(`CSS total ${kb(totals.css.raw)} KB, gzip ${kb(totals.css.gz)} KB`);
console.log(JSON.stringify({ js_gzip_bytes: totals.js.gz, css_gzip_bytes: totals.css.gz, js_bytes: totals.js.raw }));
if (totals.js.gz > budgetKb * 1024) {
  console.error(`JS bundle is ${kb(totals.js.gz)} KB gzipped, over the ${budgetKb} KB budget`);
  process.exit(1);
}
