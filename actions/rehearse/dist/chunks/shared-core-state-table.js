import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
var t="stepback_migrations";export{t as a};
