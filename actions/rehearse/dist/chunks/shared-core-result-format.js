import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
var t="stepback/result@1";export{t as a};
