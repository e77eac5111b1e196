import { createRequire as __stepbackCreateRequire } from 'node:module'; const require = __stepbackCreateRequire(import.meta.url);
function n(r){let e;return()=>(e??=r(),e)}export{n as a};
