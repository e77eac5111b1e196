import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
var n=["npx","--no-install","--offline","stepback"];export{n as a};
