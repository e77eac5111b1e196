import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a}from"./shared-system-clock.js";import"./shared-chunk-2.js";export{a as systemClock};
