import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
function t(e){if(e?.error)return typeof e.error=="string"?e.error:e.error.message}var r="stepback/plan@1";export{t as a,r as b};
