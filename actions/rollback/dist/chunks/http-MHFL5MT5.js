import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{a}from"./chunk-FAWGKND6.js";import"./chunk-X2Z7UIJJ.js";export default a();
