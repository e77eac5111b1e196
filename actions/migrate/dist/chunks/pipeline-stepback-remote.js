import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a}from"./shared-pipeline-plan-transport.js";import"./shared-core-result-format.js";import"./shared-core-release-manifest.js";import"./shared-core-canonical-json.js";import"./shared-core-checksum.js";import"./shared-chunk-2.js";export{a as stepbackRemote};
