// Parses a compose file the way the balena CLI does, with @balena/compose's own parser
// (installed by scripts/bootstrap into .tools), and prints the result as JSON:
// {"composition": <normalized>, "images": <image descriptors>} or {"error": "..."}.
// Usage: node balena_compose.cjs TOOLS_DIR COMPOSE_FILE
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

const [toolsDir, composeFile] = process.argv.slice(2);
const toolsRequire = createRequire(path.join(toolsDir, "package.json"));
const yaml = toolsRequire("js-yaml");
const { normalize, parse } = toolsRequire("@balena/compose/dist/parse");

try {
  const raw = yaml.load(fs.readFileSync(composeFile, "utf8"));
  const composition = normalize(raw);
  const images = parse(composition);
  process.stdout.write(JSON.stringify({ composition, images }));
} catch (error) {
  process.stdout.write(JSON.stringify({ error: `${error.name}: ${error.message}` }));
}
