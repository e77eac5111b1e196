import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{b as a,c as b,d as c}from"./chunk-KJJO33KW.js";import"./chunk-D3KWM2N2.js";import"./chunk-A5CISUEB.js";import"./chunk-X2Z7UIJJ.js";export{a as loadMigrations,c as manifestMigrations,b as readMigrationDirectory};
