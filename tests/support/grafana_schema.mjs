// Prints, as one JSON object, JSON Schemas generated from Grafana's own TypeScript types in
// @grafana/schema (installed by scripts/bootstrap into .tools at the version the compose file
// pins): the dashboard model and the options/fieldConfig of the panel types the dashboard
// uses. Usage: node grafana_schema.mjs TOOLS_DIR PANEL_TYPE...
import path from "node:path";
import { createRequire } from "node:module";

const [toolsDir, ...panelTypes] = process.argv.slice(2);
const require = createRequire(path.join(toolsDir, "package.json"));
const { createGenerator } = require("ts-json-schema-generator");
const raw = path.join(toolsDir, "node_modules/@grafana/schema/dist/types/raw");

function schemas(file, types) {
  const generator = createGenerator({
    path: path.join(raw, file),
    skipTypeCheck: true,
    additionalProperties: false, // an unknown key is a typo Grafana would silently ignore
  });
  return Object.fromEntries(types.map((type) => [type, generator.createSchema(type)]));
}

const out = {
  version: require("@grafana/schema/package.json").version,
  dashboard: schemas("dashboard/x/types.gen.d.ts", ["Dashboard"]).Dashboard,
  panels: {},
};
for (const panel of panelTypes) {
  const file = `composable/${panel}/panelcfg/x/types.gen.d.ts`;
  out.panels[panel] = schemas(file, ["Options", "FieldConfig"]);
}
process.stdout.write(JSON.stringify(out));
