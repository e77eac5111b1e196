import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-SADGT6N5.js";import"./chunk-TELWSMJH.js";import"./chunk-D46HNC6J.js";import"./chunk-TBI7EKI5.js";import"./chunk-X2Z7UIJJ.js";export{b as STORE_EXAMPLES,a as STORE_KINDS,c as STORE_SCHEMES,d as isStoreUrl,e as openStore};
