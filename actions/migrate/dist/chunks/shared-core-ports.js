import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
var t="stepback:release";var n="STEPBACK-REDACTED";function i(e){return JSON.stringify(e).includes(n)}export{t as a,i as b};
