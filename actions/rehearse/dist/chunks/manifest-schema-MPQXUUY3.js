import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{c as a,d as b,e as c}from"./chunk-443HBFG2.js";import"./chunk-WNUY3BJZ.js";import"./chunk-BHOPZMP2.js";import"./chunk-D46HNC6J.js";import"./chunk-YPVIAGPN.js";import"./chunk-X2Z7UIJJ.js";export{b as describeIssues,a as formatIssuePath,c as parseManifest};
