import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
var t="stepback:release";var n="STEPBACK-REDACTED";function o(e){return JSON.stringify(e).includes(n)}export{t as a,o as b};
