import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a}from"./shared-chunk.js";import"./shared-chunk-2.js";export default a();
