import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-2WRH7H7N.js";import"./chunk-YXJ7HIOU.js";import"./chunk-WPGQUBP3.js";import"./chunk-7ZYONC46.js";import"./chunk-X2Z7UIJJ.js";export{b as STORE_EXAMPLES,a as STORE_KINDS,c as STORE_SCHEMES,d as isStoreUrl,e as openStore};
