import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a,b,c,d,e,f}from"./shared-aws-clients.js";import"./shared-core-on-first-use.js";import"./shared-core-errors.js";import"./shared-chunk-2.js";export{b as clientConfig,d as codebuildClient,c as ecsClient,e as logsClient,f as logsClients,a as resolveRegion};
