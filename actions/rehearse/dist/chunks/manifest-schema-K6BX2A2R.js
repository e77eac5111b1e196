import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a,b,c}from"./chunk-SBBSWK35.js";import"./chunk-WNUY3BJZ.js";import"./chunk-BHOPZMP2.js";import"./chunk-G4JJ6T2Q.js";import"./chunk-URUHHJAQ.js";import"./chunk-X2Z7UIJJ.js";export{b as describeIssues,a as formatIssuePath,c as parseManifest};
