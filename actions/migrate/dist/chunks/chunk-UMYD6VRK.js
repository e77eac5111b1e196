import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
var n="STEPBACK-REDACTED";function t(e){return JSON.stringify(e).includes(n)}var i="stepback:release";export{t as a,i as b};
