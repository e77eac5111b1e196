import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
import{b as a,c as b,d as c}from"./shared-migrate-layouts-dbmate.js";import"./shared-core-checksum.js";import"./shared-core-errors.js";import"./shared-chunk-2.js";export{a as loadMigrations,c as manifestMigrations,b as readMigrationDirectory};
