import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-7G2ZPKHA.js";import"./chunk-XTJMLNRM.js";import"./chunk-G4JJ6T2Q.js";import"./chunk-URUHHJAQ.js";import"./chunk-X2Z7UIJJ.js";export{b as STORE_EXAMPLES,a as STORE_KINDS,c as STORE_SCHEMES,d as isStoreUrl,e as openStore};
