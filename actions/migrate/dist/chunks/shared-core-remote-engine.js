import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
function t(n,e){return n.command?[...n.command]:[...e,...n.args]}export{t as a};
