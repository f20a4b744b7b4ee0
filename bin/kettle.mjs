#!/usr/bin/env node
// The `kettle` command (package.json "bin"): runs cli/index.ts through tsx,
// so it works from a checkout (`npx kettle …`) with no build step.
import { register } from "tsx/esm/api";

register();
await import(new URL("../cli/index.ts", import.meta.url).href);
