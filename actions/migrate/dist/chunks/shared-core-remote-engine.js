import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
function r(n,e){return{args:e.args??[],...e.command?{command:e.command}:{},env:e.env,...n.isResultLine?{isResultLine:t=>n.isResultLine(t)}:{}}}function s(n,e){return n.command?[...n.command]:[...e,...n.args]}export{r as a,s as b};
